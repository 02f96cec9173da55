import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { openDataset } from '../../../src/data/open-dataset';
import { assertDatasetError, idxBytes, samplesDir, tempDir, writeFile } from './helpers';

const sampleTrain = path.join(samplesDir, 'fashion-mnist', 'train-images-idx3-ubyte.gz');

test('IDX: the Fashion-MNIST sample slice loads as uint8 with its paired labels and class names', async () => {
  const ds = await openDataset({ path: sampleTrain });
  assert.equal(ds.format, 'idx');
  assert.equal(ds.name, 'fashion-mnist-train');
  assert.equal(ds.kind, 'image');
  assert.equal(ds.count, 2000);
  assert.deepEqual(ds.sampleShape, [28, 28]);
  assert.deepEqual(ds.inputShape, [28, 28, 1]);
  assert.equal(ds.dtype, 'uint8');
  assert.ok(ds.sample(0) instanceof Uint8Array);
  assert.equal(ds.sample(0).length, 784);
  assert.equal(ds.labels?.length, 2000);
  assert.deepEqual(Array.from(ds.labels!.subarray(0, 5)), [9, 0, 0, 3, 0]); // the first labels of Fashion-MNIST
  assert.equal(ds.classNames?.[9], 'Ankle boot');
  assert.deepEqual(ds.scaling, { kind: 'unit', min: 0, max: 255 });
});

test('IDX: the test slice pairs t10k images with t10k labels', async () => {
  const ds = await openDataset({ path: path.join(samplesDir, 'fashion-mnist', 't10k-images-idx3-ubyte.gz') });
  assert.equal(ds.count, 500);
  assert.equal(ds.labels?.length, 500);
});

test('IDX: raw (not gzipped) files and *.idx names, with a limit', async (t) => {
  const dir = tempDir(t);
  const pixels = Uint8Array.from({ length: 5 * 4 * 3 }, (_, i) => i);
  const images = writeFile(dir, 'digits-images.idx', idxBytes(0x08, [5, 4, 3], pixels));
  writeFile(dir, 'digits-labels.idx', idxBytes(0x08, [5], Uint8Array.from([0, 1, 2, 1, 0])));
  const ds = await openDataset({ path: images, limit: 3 });
  assert.equal(ds.name, `${path.basename(dir)}-digits`);
  assert.equal(ds.count, 3);
  assert.deepEqual(ds.sampleShape, [4, 3]);
  assert.deepEqual(Array.from(ds.sample(1)), Array.from(pixels.subarray(12, 24)));
  assert.deepEqual(Array.from(ds.labels!), [0, 1, 2]);
  assert.deepEqual(ds.classNames, ['0', '1', '2']);

  const gz = writeFile(dir, 'more-images.idx.gz', gzipSync(idxBytes(0x08, [5, 4, 3], pixels)));
  const fromGz = await openDataset({ path: gz });
  assert.equal(fromGz.count, 5);
  assert.equal(fromGz.labels, undefined, 'no labels file: unlabelled');
});

test('IDX: big-endian float32 values are read in native order', async (t) => {
  const dir = tempDir(t);
  const values = Buffer.alloc(2 * 2 * 2 * 4);
  [0.5, -1, 2.25, 3, 0, 1, 4, 8].forEach((v, i) => values.writeFloatBE(v, i * 4));
  const ds = await openDataset({ path: writeFile(dir, 'f-images-idx3-ubyte', idxBytes(0x0d, [2, 2, 2], values)) });
  assert.equal(ds.dtype, 'float32');
  assert.deepEqual(Array.from(ds.sample(0)), [0.5, -1, 2.25, 3]);
});

test('IDX hostile input: zero bytes, wrong magic, truncated, 10^12 elements, corrupt gzip, label count mismatch', async (t) => {
  const dir = tempDir(t);
  const empty = writeFile(dir, 'empty-images-idx3-ubyte', new Uint8Array(0));
  await assertDatasetError(openDataset({ path: empty }), empty, /empty \(zero bytes\)/);

  const png = writeFile(dir, 'wrong-images-idx3-ubyte', Buffer.from('\x89PNG\r\n\x1a\n00000000000000', 'latin1'));
  await assertDatasetError(openDataset({ path: png }), png, /wrong magic number 89 50 4e 47/);

  const truncated = writeFile(dir, 'cut-images-idx3-ubyte', idxBytes(0x08, [100, 28, 28], new Uint8Array(1000)));
  await assertDatasetError(openDataset({ path: truncated }), truncated, /truncated: header claims 100 × 28 × 28 uint8 values .* but only 1000 bytes of data follow/);

  const truncatedGz = writeFile(dir, 'cutgz-images-idx3-ubyte.gz', gzipSync(idxBytes(0x08, [100, 28, 28], new Uint8Array(100 * 784))).subarray(0, 60));
  await assertDatasetError(openDataset({ path: truncatedGz }), truncatedGz, /truncated/);

  const noisy = Uint8Array.from({ length: 50 * 784 }, (_, i) => (i * 2654435761) >>> 24);
  const noisyGz = gzipSync(idxBytes(0x08, [50, 28, 28], noisy));
  const cutGz = writeFile(dir, 'cut2-images-idx3-ubyte.gz', noisyGz.subarray(0, Math.floor(noisyGz.length * 0.6)));
  await assertDatasetError(openDataset({ path: cutGz }), cutGz, /^gzip data is truncated \(unexpected end of file\)$/);

  // 10^6 × 10^3 × 10^3 = 10^12 one-byte values: refused from the header, before any allocation.
  const huge = writeFile(dir, 'huge-images-idx3-ubyte', idxBytes(0x08, [1_000_000, 1000, 1000], new Uint8Array(64)));
  await assertDatasetError(openDataset({ path: huge }), huge, /header claims 1,000,000 × 1,000 × 1,000 uint8 values \(931 GiB\), more than the 2\.0 GiB/);
  const hugeGz = writeFile(dir, 'hugegz-images-idx3-ubyte.gz', gzipSync(idxBytes(0x08, [1_000_000, 1000, 1000], new Uint8Array(64))));
  await assertDatasetError(openDataset({ path: hugeGz }), hugeGz, /header claims .* more than the 2\.0 GiB/);
  // Within the cap but impossible for its compressed size.
  const liarGz = writeFile(dir, 'liar-images-idx3-ubyte.gz', gzipSync(idxBytes(0x08, [1_000_000, 28, 28], new Uint8Array(64))));
  await assertDatasetError(openDataset({ path: liarGz }), liarGz, /truncated: header claims 1,000,000 × 28 × 28/);

  const corrupt = Buffer.from(gzipSync(idxBytes(0x08, [10, 28, 28], Uint8Array.from({ length: 7840 }, (_, i) => (i * 7) % 256))));
  for (let i = 20; i < corrupt.length - 8; i += 7) corrupt[i] ^= 0x5a;
  const corruptFile = writeFile(dir, 'corrupt-images-idx3-ubyte.gz', corrupt);
  await assertDatasetError(openDataset({ path: corruptFile }), corruptFile, /gzip data is corrupt \(/);

  const images = writeFile(dir, 'pair-images-idx3-ubyte', idxBytes(0x08, [4, 2, 2], new Uint8Array(16)));
  const labels = writeFile(dir, 'pair-labels-idx1-ubyte', idxBytes(0x08, [3], Uint8Array.from([0, 1, 2])));
  await assertDatasetError(openDataset({ path: images }), labels, /holds 3 labels but pair-images-idx3-ubyte holds 4 images/);

  await assertDatasetError(openDataset({ path: labels }), labels, /holds labels only .* open the matching images file/);
});

test('IDX: Fashion-MNIST 60,000 training images load as ~47 MB of uint8', { skip: !existsSync('/work/shared/datasets/fashion-mnist') && 'needs /work/shared/datasets (not shipped to users)' }, async () => {
  const started = performance.now();
  const ds = await openDataset({ path: '/work/shared/datasets/fashion-mnist/train-images-idx3-ubyte.gz' });
  const seconds = (performance.now() - started) / 1000;
  assert.equal(ds.count, 60000);
  assert.equal(ds.dtype, 'uint8');
  const stored = ds.sample(0).buffer.byteLength;
  assert.ok(stored >= 60000 * 784 && stored < 60000 * 784 + 2 * 1024 * 1024, `held in one uint8 buffer of ${stored} bytes`);
  assert.equal(ds.labels?.length, 60000);
  console.log(`Fashion-MNIST train: 60,000 images loaded in ${seconds.toFixed(2)} s as ${(stored / 1e6).toFixed(1)} MB uint8`);
});
