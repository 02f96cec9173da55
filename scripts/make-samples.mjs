// Cuts the repository's small sample data from ../shared/datasets (which users do not have) and
// generates the rest. Reproducible: same sources, same seed, same files. The produced files are committed.
// Usage: node --import tsx scripts/make-samples.mjs [--shared /work/shared/datasets]
// (tsx lets it reuse the project's seeded PRNG from src/data/random.ts.)
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Buffer } from 'node:buffer';
import { gunzipSync, gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import { PNG } from 'pngjs';
import { gaussian, mulberry32, shuffleInPlace } from '../src/data/random.ts';
import { renderDigits } from './render-digits.mjs';
import { encodeNpy } from './npy.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sharedArg = process.argv.indexOf('--shared');
const shared = sharedArg > 0 ? process.argv[sharedArg + 1] : join(root, '..', 'shared', 'datasets');
const samples = join(root, 'samples');

const TRAIN_COUNT = 2000;
const TEST_COUNT = 500;
const WORD_COUNT = 3000;
const SEED = 20240601;
const FASHION_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

function writeFile(relative, data) {
  const file = join(samples, relative);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, data);
  console.log(`${relative}  ${data.length.toLocaleString('en-US')} bytes`);
}

/** An IDX file's header and its first `count` samples. */
function sliceIdx(file, count) {
  const bytes = gunzipSync(readFileSync(file));
  const dims = bytes[3];
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  const shape = Array.from({ length: dims }, (_, d) => view.getUint32(4 + 4 * d));
  const sampleSize = shape.slice(1).reduce((a, b) => a * b, 1);
  const header = Buffer.from(bytes.subarray(0, 4 + 4 * dims));
  header.writeUInt32BE(count, 4);
  const start = 4 + 4 * dims;
  return { header, values: bytes.subarray(start, start + count * sampleSize), shape: [count, ...shape.slice(1)] };
}

function gzip(data) {
  return gzipSync(data, { level: 9 }); // header mtime is 0: the same input gives the same bytes
}

/** A NumPy v1 .npy file of C-order uint8 values. */
function npy(values, shape, descr = '|u1') {
  return encodeNpy(values, shape, descr);
}

function greyPng(pixels, width, height) {
  const png = new PNG({ width, height });
  for (let i = 0; i < width * height; i++) {
    png.data[i * 4] = png.data[i * 4 + 1] = png.data[i * 4 + 2] = pixels[i];
    png.data[i * 4 + 3] = 255;
  }
  return PNG.sync.write(png, { colorType: 0 });
}

// Only the folders this script makes are replaced; anything else in samples/ (e.g. workspace settings) stays.
for (const folder of ['fashion-mnist', 'arrays', 'images', 'words', 'tabular']) rmSync(join(samples, folder), { recursive: true, force: true });

// --- Fashion-MNIST slice: the first images of each file (the set is already in random order).
const fashion = join(shared, 'fashion-mnist');
const notice = readFileSync(join(fashion, 'COPYRIGHT'), 'utf8');
writeFile(
  'fashion-mnist/COPYRIGHT',
  `This folder holds a slice of Fashion-MNIST: the first ${TRAIN_COUNT.toLocaleString('en-US')} training and the first ` +
    `${TEST_COUNT} test images with their labels, cut by scripts/make-samples.mjs. The original notice follows.\n\n${notice}`,
);
const train = {};
for (const [prefix, count] of [['train', TRAIN_COUNT], ['t10k', TEST_COUNT]]) {
  for (const part of ['images-idx3', 'labels-idx1']) {
    const name = `${prefix}-${part}-ubyte.gz`;
    const slice = sliceIdx(join(fashion, name), count);
    writeFile(`fashion-mnist/${name}`, gzip(Buffer.concat([slice.header, slice.values])));
    if (prefix === 'train') train[part] = slice.values;
  }
}
const trainImages = train['images-idx3'];
const trainLabels = train['labels-idx1'];

// --- NumPy arrays: the first 300 training images, as .npy and with their labels as a compressed .npz.
const ARRAY_COUNT = 300;
const arrayImages = trainImages.subarray(0, ARRAY_COUNT * 784);
writeFile('arrays/fashion-300.npy', npy(arrayImages, [ARRAY_COUNT, 28, 28]));
writeFile(
  'arrays/fashion-300.npz',
  Buffer.from(
    zipSync(
      { 'x.npy': npy(arrayImages, [ARRAY_COUNT, 28, 28]), 'y.npy': npy(trainLabels.subarray(0, ARRAY_COUNT), [ARRAY_COUNT]) },
      { level: 9, mtime: new Date('2024-01-01T00:00:00Z') },
    ),
  ),
);
writeFile('arrays/COPYRIGHT', `The arrays here are the first ${ARRAY_COUNT} training images (and labels) of Fashion-MNIST; see ../fashion-mnist/COPYRIGHT.\n`);

// --- An image folder: 20 PNGs of each of three classes, one sub-folder per class.
const IMAGE_CLASSES = { trouser: 1, sneaker: 7, bag: 8 };
for (const [folder, label] of Object.entries(IMAGE_CLASSES)) {
  let written = 0;
  for (let i = 0; i < TRAIN_COUNT && written < 20; i++) {
    if (trainLabels[i] !== label) continue;
    writeFile(`images/${folder}/${String(i).padStart(4, '0')}.png`, greyPng(trainImages.subarray(i * 784, (i + 1) * 784), 28, 28));
    written++;
  }
}
writeFile(
  'images/COPYRIGHT',
  `PNG copies of Fashion-MNIST training images (${Object.keys(IMAGE_CLASSES).map((k) => `${k}: class "${FASHION_CLASSES[IMAGE_CLASSES[k]]}"`).join(', ')}); see ../fashion-mnist/COPYRIGHT.\n`,
);

// --- Words: a seeded sample of lowercase ASCII words, kept in dictionary order.
const allWords = readFileSync(join(shared, 'words', 'american-english.txt'), 'utf8')
  .split('\n')
  .filter((w) => /^[a-z]+$/.test(w));
const chosen = shuffleInPlace([...allWords], mulberry32(SEED)).slice(0, WORD_COUNT).sort();
writeFile('words/words.txt', `${chosen.join('\n')}\n`);
writeFile(
  'words/COPYRIGHT',
  `words.txt is a sample of ${WORD_COUNT.toLocaleString('en-US')} lowercase words from Debian's wamerican word list ` +
    `(american-english), cut by scripts/make-samples.mjs. The original notice follows.\n\n${readFileSync(join(shared, 'words', 'COPYRIGHT'), 'utf8')}`,
);

// --- Tabular: three gaussian clusters in 8 dimensions, generated (no external data).
const random = mulberry32(SEED + 1);
const FEATURES = 8;
const CLUSTERS = ['alpha', 'beta', 'gamma'];
const centres = CLUSTERS.map(() => Array.from({ length: FEATURES }, () => Math.round((random() * 10 - 5) * 10) / 10));
const rows = [];
for (let c = 0; c < CLUSTERS.length; c++) {
  for (let r = 0; r < 100; r++) {
    rows.push([...centres[c].map((m, f) => (m + gaussian(random) * (0.5 + 0.1 * f)).toFixed(3)), CLUSTERS[c]]);
  }
}
shuffleInPlace(rows, random);
const headerRow = [...Array.from({ length: FEATURES }, (_, f) => `f${f + 1}`), 'label'];
writeFile('tabular/iris-like.csv', `${[headerRow, ...rows].map((row) => row.join(',')).join('\n')}\n`);

// --- Digits: 120 rendered handwriting-like digits of each class, 20×20 grey PNGs, one sub-folder per digit.
const DIGITS_PER_CLASS = 120;
rmSync(join(samples, 'digits'), { recursive: true, force: true });
renderDigits({ perDigit: DIGITS_PER_CLASS, size: 20, seed: SEED + 2 }).forEach(({ digit, pixels }, i) => {
  writeFile(`digits/${digit}/${String(i % DIGITS_PER_CLASS).padStart(3, '0')}.png`, greyPng(pixels, 20, 20));
});
writeFile('digits/COPYRIGHT', 'The digits here are drawn by scripts/render-digits.mjs (strokes with random slant, size and width); no external data.\n');
