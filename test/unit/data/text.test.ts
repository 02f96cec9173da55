import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import * as path from 'node:path';
import { openDataset } from '../../../src/data/open-dataset';
import { computeStats, summarizeDataset } from '../../../src/data/stats';
import { decodeCharacterIndices, encodeLine, END_INDEX, PAD_INDEX, UNKNOWN_INDEX } from '../../../src/data/readers/text';
import { assertDatasetError, samplesDir, tempDir, writeFile } from './helpers';

test('text: the words sample, one word per line, character vocabulary from the data', async () => {
  const ds = await openDataset({ path: path.join(samplesDir, 'words', 'words.txt') });
  assert.equal(ds.format, 'text');
  assert.equal(ds.kind, 'text');
  assert.equal(ds.count, 3000);
  assert.deepEqual(ds.vocabulary?.slice(3), 'abcdefghijklmnopqrstuvwxyz'.split(''));
  assert.deepEqual(ds.inputShape, ds.sampleShape, 'the model reads the character indices themselves (an embedding), not one-hot rows');
  assert.equal(ds.scaling.kind, 'indices');
  const summary = summarizeDataset(ds);
  assert.equal(summary.vocabularySize, 29);
  assert.equal(summary.notes, undefined, 'nothing was cut or left out');
  const stats = computeStats(ds);
  assert.equal(stats.max + 1, ds.sampleShape[0], 'maxLength is the longest word plus the end mark');
  // Statistics of text are of line lengths: whole numbers, one histogram bin per length.
  assert.equal(stats.histogram.length, stats.max - stats.min + 1);
  const threeLetter = Array.from({ length: ds.count }, (_, i) => ds.text!(i)).filter((w) => w.length === 3).length;
  assert.equal(stats.histogram[3 - stats.min], threeLetter);
});

test('text: samples are indices + end mark + padding; fillBatch writes them as numbers; text(i) is the line', async (t) => {
  const dir = tempDir(t);
  const file = writeFile(dir, 'lines.txt', 'abc\r\n\nba\nécole ✓\n');
  const ds = await openDataset({ path: file });
  assert.equal(ds.count, 3);
  assert.deepEqual(ds.vocabulary, ['', '\n', '\uFFFD', ' ', 'a', 'b', 'c', 'e', 'l', 'o', 'é', '✓']);
  assert.deepEqual(ds.sampleShape, [8]); // "école ✓" is 7 characters, plus the end mark
  assert.deepEqual(Array.from(ds.sample(1)), [5, 4, END_INDEX, PAD_INDEX, PAD_INDEX, PAD_INDEX, PAD_INDEX, PAD_INDEX]);
  assert.equal(ds.text?.(2), 'école ✓');
  assert.equal(decodeCharacterIndices(ds.sample(2), ds.vocabulary!), 'école ✓');

  const [length] = ds.inputShape;
  const out = new Float32Array(2 * length).fill(7); // stale values must be overwritten
  ds.fillBatch([1, 0], out);
  assert.deepEqual(Array.from(out), [5, 4, END_INDEX, 0, 0, 0, 0, 0, 4, 5, 6, END_INDEX, 0, 0, 0, 0]);

  const short = await openDataset({ path: file, maxLength: 3 });
  assert.deepEqual(Array.from(short.sample(0)), [4, 5, END_INDEX], 'long lines are cut to maxLength - 1 characters and the end mark');
  assert.equal(short.text?.(0), 'abc');
  assert.deepEqual(short.notes, ['2 of 3 lines were longer than 2 characters and were cut to that length']);
  assert.deepEqual(summarizeDataset(short).notes, short.notes, 'the note reaches the dataset summary (lab, CLI, report)');
});

test('text hostile input: empty file, only blank lines, binary data', async (t) => {
  const dir = tempDir(t);
  const empty = writeFile(dir, 'empty.txt', '');
  await assertDatasetError(openDataset({ path: empty }), empty, /empty \(zero bytes\)/);
  const blank = writeFile(dir, 'blank.txt', '\n\n\r\n');
  await assertDatasetError(openDataset({ path: blank }), blank, /holds no text lines/);
  const binary = writeFile(dir, 'binary.txt', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0x41]));
  await assertDatasetError(openDataset({ path: binary }), binary, /is binary \(holds NUL bytes\)/);
});

test('text in Chinese: the Tang couplets sample, one character per code point, rare characters beyond the cap read as unknown', async () => {
  const file = path.join(samplesDir, 'poetry', 'tang.txt');
  const ds = await openDataset({ path: file });
  assert.equal(ds.count, 2000);
  assert.equal(ds.text?.(0), '秦川雄帝宅，函谷壯皇居。');
  assert.equal(ds.dtype, 'uint16', 'more than 256 symbols');
  const first = Array.from(ds.sample(0)).slice(0, 13);
  assert.equal(first[12], END_INDEX, 'twelve characters (not 36 UTF-8 bytes), then the end mark');
  assert.equal(decodeCharacterIndices(ds.sample(0), ds.vocabulary!), '秦川雄帝宅，函谷壯皇居。');
  assert.ok(ds.vocabulary!.includes('，') && ds.vocabulary!.includes('。'));

  const capped = await openDataset({ path: file, maxVocabulary: 500 });
  assert.equal(capped.vocabulary!.length, 503, '500 characters and the three marks');
  // The most frequent characters are kept: the comma and full stop of every couplet.
  assert.ok(capped.vocabulary!.includes('，') && capped.vocabulary!.includes('。'));
  let unknown = 0;
  for (let i = 0; i < capped.count; i++) for (const index of capped.sample(i)) if (index === UNKNOWN_INDEX) unknown++;
  assert.ok(unknown > 0);
  assert.match(capped.notes![0], new RegExp(`^\\d+ rare characters \\(${unknown} occurrences\\) are outside the vocabulary of 500 and read as \uFFFD$`));
  assert.ok(decodeCharacterIndices(capped.sample(0), capped.vocabulary!).length === 12);
});

test('text: a line typed in is encoded with the dataset vocabulary (unknown characters marked, long lines cut)', async (t) => {
  const dir = tempDir(t);
  const ds = await openDataset({ path: writeFile(dir, 'lines.txt', 'abc\nba\n') });
  const vocabulary = ds.vocabulary!;
  assert.deepEqual(Array.from(encodeLine('cab', vocabulary, 4)), [5, 3, 4, END_INDEX]);
  assert.deepEqual(Array.from(encodeLine('axz', vocabulary, 4)), [3, UNKNOWN_INDEX, UNKNOWN_INDEX, END_INDEX]);
  assert.deepEqual(Array.from(encodeLine('abcabc', vocabulary, 4)), [3, 4, 5, END_INDEX]);
  assert.equal(decodeCharacterIndices(encodeLine('axz', vocabulary, 4), vocabulary), 'a\uFFFD\uFFFD');
});
