import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import * as path from 'node:path';
import { openDataset } from '../../../src/data/open-dataset';
import { computeStats, summarizeDataset } from '../../../src/data/stats';
import { decodeCharacterIndices, END_INDEX, PAD_INDEX } from '../../../src/data/readers/text';
import { assertDatasetError, samplesDir, tempDir, writeFile } from './helpers';

test('text: the words sample, one word per line, character vocabulary from the data', async () => {
  const ds = await openDataset({ path: path.join(samplesDir, 'words', 'words.txt') });
  assert.equal(ds.format, 'text');
  assert.equal(ds.kind, 'text');
  assert.equal(ds.count, 3000);
  assert.deepEqual(ds.vocabulary?.slice(2), 'abcdefghijklmnopqrstuvwxyz'.split(''));
  assert.deepEqual(ds.inputShape, [ds.sampleShape[0], 28]);
  assert.equal(ds.scaling.kind, 'one-hot');
  const summary = summarizeDataset(ds);
  assert.equal(summary.vocabularySize, 28);
  const stats = computeStats(ds);
  assert.equal(stats.max + 1, ds.sampleShape[0], 'maxLength is the longest word plus the end mark');
  // Statistics of text are of line lengths: whole numbers, one histogram bin per length.
  assert.equal(stats.histogram.length, stats.max - stats.min + 1);
  const threeLetter = Array.from({ length: ds.count }, (_, i) => ds.text!(i)).filter((w) => w.length === 3).length;
  assert.equal(stats.histogram[3 - stats.min], threeLetter);
});

test('text: samples are indices + end mark + padding; fillBatch writes one one-hot row per position; text(i) is the line', async (t) => {
  const dir = tempDir(t);
  const file = writeFile(dir, 'lines.txt', 'abc\r\n\nba\nécole ✓\n');
  const ds = await openDataset({ path: file });
  assert.equal(ds.count, 3);
  assert.deepEqual(ds.vocabulary, ['', '\n', ' ', 'a', 'b', 'c', 'e', 'l', 'o', 'é', '✓']);
  assert.deepEqual(ds.sampleShape, [8]); // "école ✓" is 7 characters, plus the end mark
  assert.deepEqual(Array.from(ds.sample(1)), [4, 3, END_INDEX, PAD_INDEX, PAD_INDEX, PAD_INDEX, PAD_INDEX, PAD_INDEX]);
  assert.equal(ds.text?.(2), 'école ✓');
  assert.equal(decodeCharacterIndices(ds.sample(2), ds.vocabulary!), 'école ✓');

  const [length, vocabularySize] = ds.inputShape;
  const out = new Float32Array(2 * length * vocabularySize).fill(7); // stale values must be cleared
  ds.fillBatch([1, 0], out);
  const row = (k: number, position: number): number[] => Array.from(out.subarray((k * length + position) * vocabularySize, (k * length + position + 1) * vocabularySize));
  assert.equal(row(0, 0).indexOf(1), 4); // 'b'
  assert.equal(row(0, 2).indexOf(1), END_INDEX);
  assert.equal(row(0, 5).indexOf(1), PAD_INDEX);
  assert.equal(row(1, 0).indexOf(1), 3); // 'a' of "abc"
  for (let k = 0; k < 2; k++) for (let p = 0; p < length; p++) assert.equal(row(k, p).reduce((a, b) => a + b, 0), 1);

  const short = await openDataset({ path: file, maxLength: 3 });
  assert.deepEqual(Array.from(short.sample(0)), [3, 4, END_INDEX], 'long lines are cut to maxLength - 1 characters and the end mark');
  assert.equal(short.text?.(0), 'abc');
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
