import * as assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { test } from 'node:test';
import * as path from 'node:path';
import * as jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { openDataset } from '../../../src/data/open-dataset';
import { previewImages } from '../../../src/data/preview';
import { resizeToRgb } from '../../../src/data/readers/image-folder';
import { assertDatasetError, samplesDir, tempDir, writeFile } from './helpers';

/** A PNG whose pixel (x, y) has the colour given; stored as RGBA. */
function png(width: number, height: number, colour: (x: number, y: number) => [number, number, number], alpha = 255): Buffer {
  const image = new PNG({ width, height });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      [image.data[i], image.data[i + 1], image.data[i + 2]] = colour(x, y);
      image.data[i + 3] = alpha;
    }
  }
  return PNG.sync.write(image);
}

function jpegImage(width: number, height: number, colour: [number, number, number]): Buffer {
  const data = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) data.set([...colour, 255], i * 4);
  return jpeg.encode({ width, height, data }, 95).data;
}

test('image folder: the sample folder has three classes of 20 grey 28×28 images', async () => {
  const ds = await openDataset({ path: path.join(samplesDir, 'images') });
  assert.equal(ds.format, 'image-folder');
  assert.equal(ds.count, 60);
  assert.deepEqual(ds.inputShape, [28, 28, 1]);
  assert.deepEqual(ds.classNames, ['bag', 'sneaker', 'trouser']);
  assert.deepEqual(Array.from(ds.labels!.subarray(0, 2)), [0, 0]);
  assert.equal(ds.labels![59], 2);
  // The PNGs were cut from the IDX slice: pixels are identical.
  const idx = await openDataset({ path: path.join(samplesDir, 'fashion-mnist', 'train-images-idx3-ubyte.gz') });
  assert.deepEqual(Array.from(ds.sample(0)), Array.from(idx.sample(23))); // bag/0023.png
});

test('image folder: grey PNG plus one RGB JPEG gives 3 channels; different sizes are resized to the first', async (t) => {
  const dir = tempDir(t);
  writeFile(dir, 'set/a/1.png', png(8, 8, (x) => [x * 30, x * 30, x * 30]));
  writeFile(dir, 'set/a/2.png', png(16, 16, () => [200, 200, 200]));
  writeFile(dir, 'set/b/3.jpg', jpegImage(4, 4, [250, 10, 10]));
  const ds = await openDataset({ path: path.join(dir, 'set') });
  assert.deepEqual(ds.inputShape, [8, 8, 3]);
  assert.deepEqual(ds.classNames, ['a', 'b']);
  assert.deepEqual(Array.from(ds.labels!), [0, 0, 1]);
  const first = ds.sample(0);
  assert.deepEqual(Array.from(first.subarray(0, 6)), [0, 0, 0, 30, 30, 30], 'grey image repeated over 3 channels');
  assert.ok(ds.sample(1).every((v) => v === 200), 'a uniform 16×16 image shrinks to the same uniform value');
  const red = ds.sample(2);
  assert.ok(red[0] > 200 && red[1] < 60 && red[2] < 60, `the JPEG stays red: ${Array.from(red.subarray(0, 3))}`);

  const resized = await openDataset({ path: path.join(dir, 'set'), imageSize: 4 });
  assert.deepEqual(resized.inputShape, [4, 4, 3]);
  const preview = previewImages(resized, [0, 2]);
  assert.equal(preview.channels, 3);
  assert.equal(preview.pixels.length, 2 * 4 * 4 * 3);
});

test('image folder: images directly in the folder are unlabelled and grey stays one channel; alpha over black', async (t) => {
  const dir = tempDir(t);
  writeFile(dir, 'flat/x.png', png(3, 2, () => [100, 100, 100], 128));
  writeFile(dir, 'flat/y.png', png(3, 2, () => [0, 0, 0]));
  writeFile(dir, 'flat/notes.md', 'not an image');
  const ds = await openDataset({ path: path.join(dir, 'flat') });
  assert.equal(ds.count, 2);
  assert.deepEqual(ds.inputShape, [2, 3, 1]);
  assert.equal(ds.labels, undefined);
  assert.equal(ds.sample(0)[0], 50); // 100 at half opacity over black
  const out = new Float32Array(6);
  ds.fillBatch([0], out);
  assert.equal(out[0], Math.fround(50 / 255));
});

test('bilinear resize: enlarging interpolates between pixel centres; shrinking 2× averages', () => {
  const rgba = Uint8Array.from([0, 0, 0, 255, 100, 100, 100, 255]); // 2×1: black, grey
  const wide = resizeToRgb({ width: 2, height: 1, data: rgba }, 4, 1);
  assert.deepEqual(Array.from(wide).filter((_, i) => i % 3 === 0), [0, 25, 75, 100]);
  const narrow = resizeToRgb({ width: 2, height: 1, data: rgba }, 1, 1);
  assert.deepEqual(Array.from(narrow), [50, 50, 50]);
});

test('image folder: a limit takes images from every class', async () => {
  const ds = await openDataset({ path: path.join(samplesDir, 'images'), limit: 6 });
  assert.equal(ds.count, 6);
  assert.deepEqual(Array.from(ds.labels!), [0, 0, 1, 1, 2, 2]);
});

test('image folder hostile input: empty folder, undecodable PNG and JPEG, a giant claimed size, a single image file', async (t) => {
  const dir = tempDir(t);
  const empty = path.join(dir, 'empty');
  mkdirSync(path.join(empty, 'class-without-images'), { recursive: true });
  await assertDatasetError(openDataset({ path: empty }), empty, /holds no PNG or JPEG images/);

  const broken = writeFile(dir, 'broken/a/bad.png', Buffer.concat([png(4, 4, () => [1, 2, 3]).subarray(0, 40), Buffer.from('garbage')]));
  writeFile(dir, 'broken/a/good.png', png(4, 4, () => [1, 2, 3]));
  await assertDatasetError(openDataset({ path: path.join(dir, 'broken') }), broken, /cannot be decoded as PNG: the file is truncated \(no IEND chunk\)/);
  const crc = png(4, 4, () => [1, 2, 3]);
  crc[crc.length - 20] ^= 0xff; // inside the image data: checksum no longer matches
  const badCrc = writeFile(dir, 'crc/bad.png', crc);
  await assertDatasetError(openDataset({ path: path.join(dir, 'crc') }), badCrc, /cannot be decoded as PNG \(/);

  const badJpeg = writeFile(dir, 'badjpeg/x.jpg', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
  await assertDatasetError(openDataset({ path: path.join(dir, 'badjpeg') }), badJpeg, /cannot be decoded as JPEG/);

  const text = writeFile(dir, 'text/readme.png', 'I am text with a .png name');
  await assertDatasetError(openDataset({ path: path.join(dir, 'text') }), text, /neither a PNG nor a JPEG/);

  const giant = png(2, 2, () => [0, 0, 0]);
  giant.writeUInt32BE(100_000, 16);
  giant.writeUInt32BE(100_000, 20);
  const giantFile = writeFile(dir, 'giant/huge.png', giant);
  await assertDatasetError(openDataset({ path: path.join(dir, 'giant') }), giantFile, /claims 100000 × 100000 pixels, more than/);

  const single = writeFile(dir, 'single.png', png(2, 2, () => [0, 0, 0]));
  await assertDatasetError(openDataset({ path: single }), single, /is a single image; open the folder/);
});
