import * as assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import * as path from 'node:path';
import { discoverDatasets } from '../../../src/data/discover';
import { openDataset } from '../../../src/data/open-dataset';
import { previewImages, scaledToPixels, toImageBatch } from '../../../src/data/preview';
import { gaussian, mulberry32, permutation, sampleIndices, shuffleInPlace } from '../../../src/data/random';
import { splitIndices } from '../../../src/data/split';
import { computeStats, summarizeDataset } from '../../../src/data/stats';
import { assertDatasetError, idxBytes, npyBytes, samplesDir, tempDir, writeFile } from './helpers';

test('random: mulberry32 is seeded and uniform-ish; shuffle and gaussian are reproducible', () => {
  const a = mulberry32(42);
  const b = mulberry32(42);
  const first = Array.from({ length: 5 }, a);
  assert.deepEqual(first, Array.from({ length: 5 }, b));
  assert.notDeepEqual(first, Array.from({ length: 5 }, mulberry32(43)));
  const values = Array.from({ length: 10000 }, mulberry32(1));
  assert.ok(values.every((v) => v >= 0 && v < 1));
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  assert.ok(Math.abs(mean - 0.5) < 0.02, `mean ${mean}`);

  assert.deepEqual(shuffleInPlace([1, 2, 3, 4, 5, 6], mulberry32(7)), shuffleInPlace([1, 2, 3, 4, 5, 6], mulberry32(7)));
  assert.deepEqual([...permutation(10, mulberry32(3))].sort((x, y) => x - y), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);

  const normal = mulberry32(9);
  const samples = Array.from({ length: 20000 }, () => gaussian(normal));
  const m = samples.reduce((s, v) => s + v, 0) / samples.length;
  const sd = Math.sqrt(samples.reduce((s, v) => s + (v - m) ** 2, 0) / samples.length);
  assert.ok(Math.abs(m) < 0.03 && Math.abs(sd - 1) < 0.03, `mean ${m}, std ${sd}`);

  const picked = sampleIndices(100, 10, mulberry32(5));
  assert.equal(new Set(picked).size, 10);
  assert.deepEqual(Array.from(picked), [...picked].sort((x, y) => x - y));
  assert.equal(sampleIndices(4, 10, mulberry32(5)).length, 4);
});

test('split: same seed same split; disjoint, complete, sized by the fraction; at least one on each side', () => {
  const one = splitIndices(1000, 0.1, 123);
  const two = splitIndices(1000, 0.1, 123);
  assert.deepEqual(one, two);
  assert.notDeepEqual(one.validation, splitIndices(1000, 0.1, 124).validation);
  assert.equal(one.validation.length, 100);
  assert.equal(one.train.length, 900);
  const all = new Set([...one.train, ...one.validation]);
  assert.equal(all.size, 1000);
  assert.deepEqual(splitIndices(3, 0.01, 1).validation.length, 1);
  assert.deepEqual(splitIndices(2, 0.9, 1).train.length, 1);
  assert.equal(splitIndices(50, 0, 1).validation.length, 0);
  assert.throws(() => splitIndices(10, 1, 1), RangeError);
});

test('fillBatch: uint8 images become exactly v / 255 in the order of the indices', async (t) => {
  const dir = tempDir(t);
  const pixels = Uint8Array.from({ length: 3 * 2 * 2 }, (_, i) => [0, 1, 128, 255][i % 4]);
  pixels[11] = 77;
  const file = writeFile(dir, 'tiny-images-idx3-ubyte', idxBytes(0x08, [3, 2, 2], pixels));
  const ds = await openDataset({ path: file });
  const out = new Float32Array(8);
  ds.fillBatch([2, 0], out);
  assert.deepEqual(Array.from(out), [0, 1 / 255, 128 / 255, 77 / 255, 0, 1 / 255, 128 / 255, 1].map(Math.fround));
  assert.throws(() => ds.fillBatch([3], out), RangeError);
  assert.throws(() => ds.fillBatch([0, 1, 2], out), RangeError, 'too small a buffer');
  assert.throws(() => ds.sample(-1), RangeError);
});

test('fillBatch: non-uint8 images are scaled by the data range into [0, 1]', async (t) => {
  const dir = tempDir(t);
  const values = Buffer.alloc(2 * 2 * 2 * 2);
  [-100, 0, 100, 300, 50, 50, 50, 50].forEach((v, i) => values.writeInt16LE(v, i * 2));
  const ds = await openDataset({ path: writeFile(dir, 'i16.npy', npyBytes('<i2', [2, 2, 2], values)) });
  assert.deepEqual(ds.scaling, { kind: 'unit', min: -100, max: 300 });
  const out = new Float32Array(4);
  ds.fillBatch([0], out);
  assert.deepEqual(Array.from(out), [0, 0.25, 0.5, 1]);
  const preview = previewImages(ds, [0]);
  assert.deepEqual(Array.from(preview.pixels), [0, 64, 128, 255]);

  // Integers within 0..255 are taken as pixel values, not stretched to their own range.
  const pixelLike = Buffer.alloc(2 * 4 * 4);
  [0, 10, 20, 200, 5, 5, 5, 5].forEach((v, i) => pixelLike.writeInt32LE(v, i * 4));
  const ints = await openDataset({ path: writeFile(dir, 'i32.npy', npyBytes('<i4', [2, 2, 2], pixelLike)) });
  assert.deepEqual(ints.scaling, { kind: 'unit', min: 0, max: 255 });
});

test('stats and summary of the sample IDX slice: class counts, value range, 32-bin histogram', async () => {
  const ds = await openDataset({ path: path.join(samplesDir, 'fashion-mnist', 'train-images-idx3-ubyte.gz') });
  const summary = summarizeDataset(ds);
  assert.equal(summary.format, 'idx');
  assert.equal(summary.classCounts?.length, 10);
  assert.equal(summary.classCounts?.reduce((a, b) => a + b, 0), 2000);
  const stats = computeStats(ds);
  assert.equal(stats.min, 0);
  assert.equal(stats.max, 255);
  assert.equal(stats.histogram.length, 32);
  assert.equal(stats.histogram.reduce((a, b) => a + b, 0), 2000 * 784);
  // 32 bins of 8 pixel values each: bin 0 holds exactly the values 0..7.
  let darkest = 0;
  for (let i = 0; i < 2000; i++) for (const v of ds.sample(i)) if (v < 8) darkest++;
  assert.equal(stats.histogram[0], darkest);
  assert.ok(stats.mean > 50 && stats.mean < 100 && stats.std > 50, `mean ${stats.mean} std ${stats.std}`);
  // A bounded, seeded sample: the same numbers every time, over exactly maxSamples samples.
  const sampled = computeStats(ds, 100);
  assert.equal(sampled.histogram.reduce((a, b) => a + b, 0), 100 * 784);
  assert.deepEqual(sampled, computeStats(ds, 100));
});

test('preview: IDX images as display pixels with one channel; reconstructions to pixels; base64 batch', async () => {
  const ds = await openDataset({ path: path.join(samplesDir, 'fashion-mnist', 't10k-images-idx3-ubyte.gz') });
  const preview = previewImages(ds, [3, 1]);
  assert.equal(preview.count, 2);
  assert.equal(preview.height, 28);
  assert.equal(preview.width, 28);
  assert.equal(preview.channels, 1);
  assert.deepEqual(Array.from(preview.pixels.subarray(0, 784)), Array.from(ds.sample(3)));
  const batch = toImageBatch(preview);
  assert.deepEqual(Array.from(Buffer.from(batch.pixels, 'base64')), Array.from(preview.pixels));
  assert.deepEqual(Array.from(scaledToPixels([-0.5, 0, 0.5, 1, 1.5])), [0, 0, 128, 255, 255]);

  const csv = await openDataset({ path: path.join(samplesDir, 'tabular', 'iris-like.csv') });
  assert.throws(() => previewImages(csv, [0]), /not images/);
});

test('openDataset: missing path, unknown format and a relative path', async (t) => {
  const dir = tempDir(t);
  const missing = path.join(dir, 'nope.npy');
  await assertDatasetError(openDataset({ path: missing }), missing, /does not exist/);
  const unknown = writeFile(dir, 'data.parquet', 'PAR1');
  await assertDatasetError(openDataset({ path: unknown }), unknown, /unknown dataset format/);
  const idxFolder = path.join(samplesDir, 'fashion-mnist');
  await assertDatasetError(
    openDataset({ path: idxFolder }),
    idxFolder,
    /holds no PNG or JPEG images; to train on one of its dataset files, open the file: t10k-images-idx3-ubyte\.gz, train-images-idx3-ubyte\.gz$/,
  );
  const relative = path.relative(process.cwd(), path.join(samplesDir, 'words', 'words.txt'));
  const ds = await openDataset({ path: relative, limit: 10 });
  assert.equal(ds.source, path.join(samplesDir, 'words', 'words.txt'));
  assert.equal(ds.count, 10);
});

test('discover: the sample workspace lists every sample dataset with counts and shapes from headers', async () => {
  const found = await discoverDatasets(samplesDir);
  const byName = new Map(found.map((c) => [c.name, c]));
  assert.deepEqual([...byName.keys()].sort(), [
    'arrays/fashion-300.npy',
    'arrays/fashion-300.npz',
    'digits',
    'fashion-mnist/t10k-images-idx3-ubyte.gz',
    'fashion-mnist/train-images-idx3-ubyte.gz',
    'images',
    'poetry/tang.txt',
    'tabular/iris-like.csv',
    'words/words.txt',
  ]);
  assert.deepEqual(byName.get('fashion-mnist/train-images-idx3-ubyte.gz'), {
    path: path.join(samplesDir, 'fashion-mnist/train-images-idx3-ubyte.gz'),
    name: 'fashion-mnist/train-images-idx3-ubyte.gz',
    format: 'idx',
    kind: 'image',
    count: 2000,
    shape: [28, 28],
    labelsPath: path.join(samplesDir, 'fashion-mnist/train-labels-idx1-ubyte.gz'),
  });
  assert.deepEqual(byName.get('arrays/fashion-300.npz')?.shape, [28, 28]);
  assert.equal(byName.get('arrays/fashion-300.npz')?.count, 300);
  assert.equal(byName.get('images')?.count, 60);
  assert.deepEqual(byName.get('images')?.shape, [28, 28, 1]);
  assert.deepEqual(byName.get('images')?.classNames, ['bag', 'sneaker', 'trouser']);
  assert.equal(byName.get('tabular/iris-like.csv')?.count, 300);
  assert.deepEqual(byName.get('tabular/iris-like.csv')?.shape, [8]);
  assert.equal(byName.get('words/words.txt')?.count, 3000);
  // Every candidate opens, and the peeked count matches the real one.
  for (const candidate of found) assert.equal((await openDataset({ path: candidate.path })).count, candidate.count, candidate.name);
});

test('discover: skips node_modules, .git, dist and .autoencoder-lab; broken headers become errors, not exceptions', async (t) => {
  const dir = tempDir(t);
  const samplePng = readFileSync(path.join(samplesDir, 'images', 'bag', '0023.png'));
  for (const skipped of ['node_modules/pkg', '.git/objects', 'dist', '.autoencoder-lab/runs/r1']) {
    writeFile(dir, `${skipped}/data.csv`, 'a,b\n1,2\n');
  }
  writeFile(dir, 'deep/er/table.tsv', 'a\tb\n1\t2\n3\t4\n');
  writeFile(dir, 'broken.npy', 'not numpy at all');
  writeFile(dir, 'zero-images-idx3-ubyte', new Uint8Array(0));
  writeFile(dir, 'lonely-labels-idx1-ubyte', idxBytes(0x08, [2], Uint8Array.from([1, 0])));
  writeFile(dir, 'media/logo.png', 'one image is not a dataset');
  writeFile(dir, 'shots/a.png', samplePng);
  writeFile(dir, 'shots/b.png', samplePng);
  writeFile(dir, 'shots/more/c.png', samplePng);
  // Two sub-folders of images beside folders without: a project's pictures, not classes of a dataset.
  writeFile(dir, 'docs/pictures/x.png', samplePng);
  writeFile(dir, 'docs/icons/y.png', samplePng);
  writeFile(dir, 'docs/guide/readme.md', 'text');
  mkdirSync(path.join(dir, 'empty-folder'));
  const found = await discoverDatasets(dir);
  assert.deepEqual(
    found.map((c) => c.name).sort(),
    ['broken.npy', 'deep/er/table.tsv', 'shots', 'zero-images-idx3-ubyte'],
  );
  const shots = found.find((c) => c.name === 'shots');
  assert.deepEqual([shots?.count, shots?.classNames, shots?.shape], [3, ['more', '(unsorted)'], [28, 28, 1]]);
  assert.equal((await openDataset({ path: shots!.path })).count, 3);
  const broken = found.find((c) => c.name === 'broken.npy');
  assert.match(broken?.error ?? '', /wrong magic number/);
  assert.match(found.find((c) => c.name === 'zero-images-idx3-ubyte')?.error ?? '', /empty \(zero bytes\)/);
  assert.equal(found.find((c) => c.name === 'deep/er/table.tsv')?.count, 2);
});
