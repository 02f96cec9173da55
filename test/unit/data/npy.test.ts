import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import * as path from 'node:path';
import { zipSync } from 'fflate';
import { openDataset } from '../../../src/data/open-dataset';
import { decodeNpy } from '../../../src/data/readers/npy';
import { assertDatasetError, npyBytes, samplesDir, tempDir, writeFile } from './helpers';

const VALUES = [0, 1, 2, 3, 4, 5, 6, 7, 100, 120, 126, 127];

/** Every dtype the reader takes, written little- and big-endian, with the typed array it is read into. */
const DTYPES: { code: string; size: number; write: (b: Buffer, v: number, o: number, le: boolean) => void; dtype: string }[] = [
  { code: 'u1', size: 1, write: (b, v, o) => b.writeUInt8(v, o), dtype: 'uint8' },
  { code: 'i1', size: 1, write: (b, v, o) => b.writeInt8(-v, o), dtype: 'int8' },
  { code: 'i2', size: 2, write: (b, v, o, le) => (le ? b.writeInt16LE(-v * 100, o) : b.writeInt16BE(-v * 100, o)), dtype: 'int16' },
  { code: 'u2', size: 2, write: (b, v, o, le) => (le ? b.writeUInt16LE(v * 500, o) : b.writeUInt16BE(v * 500, o)), dtype: 'uint16' },
  { code: 'i4', size: 4, write: (b, v, o, le) => (le ? b.writeInt32LE(-v * 1e6, o) : b.writeInt32BE(-v * 1e6, o)), dtype: 'int32' },
  { code: 'u4', size: 4, write: (b, v, o, le) => (le ? b.writeUInt32LE(v * 3e7, o) : b.writeUInt32BE(v * 3e7, o)), dtype: 'uint32' },
  { code: 'f4', size: 4, write: (b, v, o, le) => (le ? b.writeFloatLE(v / 4, o) : b.writeFloatBE(v / 4, o)), dtype: 'float32' },
  { code: 'f8', size: 8, write: (b, v, o, le) => (le ? b.writeDoubleLE(v / 3, o) : b.writeDoubleBE(v / 3, o)), dtype: 'float64' },
  { code: 'i8', size: 8, write: (b, v, o, le) => (le ? b.writeBigInt64LE(BigInt(-v), o) : b.writeBigInt64BE(BigInt(-v), o)), dtype: 'float64' },
];

function expected(code: string, v: number): number {
  switch (code) {
    case 'i1': return -v;
    case 'i2': return -v * 100;
    case 'u2': return v * 500;
    case 'i4': return -v * 1e6;
    case 'u4': return v * 3e7;
    case 'f4': return Math.fround(v / 4);
    case 'f8': return v / 3;
    case 'i8': return -v;
    default: return v;
  }
}

test('npy: every dtype, little- and big-endian, reads back the written values', async (t) => {
  const dir = tempDir(t);
  for (const spec of DTYPES) {
    for (const littleEndian of [true, false]) {
      if (spec.size === 1 && !littleEndian) continue;
      const bytes = Buffer.alloc(VALUES.length * spec.size);
      VALUES.forEach((v, i) => spec.write(bytes, v, i * spec.size, littleEndian));
      const descr = `${spec.size === 1 ? '|' : littleEndian ? '<' : '>'}${spec.code}`;
      const file = writeFile(dir, `${spec.code}-${littleEndian ? 'le' : 'be'}.npy`, npyBytes(descr, [3, 4], bytes));
      const ds = await openDataset({ path: file });
      assert.equal(ds.dtype, spec.dtype, descr);
      assert.equal(ds.count, 3);
      assert.equal(ds.kind, 'tabular');
      assert.deepEqual(ds.sampleShape, [4]);
      assert.deepEqual(Array.from(ds.sample(2)), VALUES.slice(8).map((v) => expected(spec.code, v)), descr);
    }
  }
});

test('npy: [n, h, w] is grey images, [n, h, w, 3] RGB images; the sample .npy loads', async (t) => {
  const ds = await openDataset({ path: path.join(samplesDir, 'arrays', 'fashion-300.npy') });
  assert.equal(ds.kind, 'image');
  assert.equal(ds.count, 300);
  assert.deepEqual(ds.inputShape, [28, 28, 1]);
  assert.equal(ds.dtype, 'uint8');

  const dir = tempDir(t);
  const rgb = Buffer.alloc(2 * 4 * 4 * 3 * 4);
  for (let i = 0; i < rgb.length / 4; i++) rgb.writeFloatLE((i % 10) / 20, i * 4);
  const rgbDs = await openDataset({ path: writeFile(dir, 'rgb.npy', npyBytes('<f4', [2, 4, 4, 3], rgb)) });
  assert.equal(rgbDs.kind, 'image');
  assert.deepEqual(rgbDs.inputShape, [4, 4, 3]);
  // Floats already in [0, 1] are not stretched.
  assert.deepEqual(rgbDs.scaling, { kind: 'unit', min: 0, max: 1 });
  const out = new Float32Array(48);
  rgbDs.fillBatch([0], out);
  assert.equal(out[3], Math.fround(3 / 20));
});

test('npy hostile input: Fortran order, object arrays, wrong magic, truncated, 10^12 elements, zero bytes, NaN', async (t) => {
  const dir = tempDir(t);
  const fortran = writeFile(dir, 'fortran.npy', npyBytes('<f4', [2, 2], new Uint8Array(16), { fortran: true }));
  await assertDatasetError(openDataset({ path: fortran }), fortran, /Fortran \(column-major\) order/);
  const objects = writeFile(dir, 'objects.npy', npyBytes('|O', [2], new Uint8Array(16)));
  await assertDatasetError(openDataset({ path: objects }), objects, /Python objects \(dtype object\)/);
  const structured = Buffer.from(npyBytes('<f4', [2], new Uint8Array(8)).toString('latin1').replace("'descr': '<f4'", "'descr': [('a', '<f4')]"), 'latin1');
  const structuredFile = writeFile(dir, 'structured.npy', structured);
  await assertDatasetError(openDataset({ path: structuredFile }), structuredFile, /structured array/);
  const magic = writeFile(dir, 'magic.npy', Buffer.from('PK\x03\x04 this is a zip, not npy', 'latin1'));
  await assertDatasetError(openDataset({ path: magic }), magic, /wrong magic number: not a NumPy \.npy file/);
  const truncated = writeFile(dir, 'truncated.npy', npyBytes('<f4', [100, 10], new Uint8Array(40)));
  await assertDatasetError(openDataset({ path: truncated }), truncated, /truncated: header claims shape \(100, 10\) of float32 \(3\.9 KiB\) but only 40 bytes/);
  const huge = writeFile(dir, 'huge.npy', npyBytes('<f8', [1_000_000, 1_000_000], new Uint8Array(64)));
  await assertDatasetError(openDataset({ path: huge }), huge, /header claims shape \(1000000, 1000000\) of float64 \(7\.3 TiB\), more than the 2\.0 GiB/);
  const empty = writeFile(dir, 'empty.npy', new Uint8Array(0));
  await assertDatasetError(openDataset({ path: empty }), empty, /empty \(zero bytes\)/);
  const nan = Buffer.alloc(8);
  nan.writeFloatLE(1, 0);
  nan.writeFloatLE(NaN, 4);
  const nanFile = writeFile(dir, 'nan.npy', npyBytes('<f4', [2, 1], nan));
  await assertDatasetError(openDataset({ path: nanFile }), nanFile, /holds NaN at sample 1/);
});

test('npz: data and labels picked by name (x/y, images/labels, first array), compressed or stored', async (t) => {
  const sample = await openDataset({ path: path.join(samplesDir, 'arrays', 'fashion-300.npz') });
  assert.equal(sample.format, 'npz');
  assert.equal(sample.count, 300);
  assert.deepEqual(sample.inputShape, [28, 28, 1]);
  assert.equal(sample.labels?.length, 300);
  assert.equal(sample.labels?.[0], 9);

  const dir = tempDir(t);
  const images = npyBytes('|u1', [3, 2, 2], Uint8Array.from({ length: 12 }, (_, i) => i * 20));
  const labels = npyBytes('<i8', [3], Buffer.from(new BigInt64Array([5n, 7n, 5n]).buffer));
  const stored = writeFile(dir, 'stored.npz', zipSync({ 'meta.npy': npyBytes('|u1', [1], new Uint8Array(1)), 'images.npy': images, 'labels.npy': labels }, { level: 0 }));
  const ds = await openDataset({ path: stored });
  assert.deepEqual(ds.sampleShape, [2, 2]);
  assert.deepEqual(Array.from(ds.sample(2)), [160, 180, 200, 220]);
  assert.deepEqual(Array.from(ds.labels!), [0, 1, 0]);
  assert.deepEqual(ds.classNames, ['5', '7']);

  const first = writeFile(dir, 'first.npz', zipSync({ 'arr_0.npy': images }, { level: 6 }));
  const firstDs = await openDataset({ path: first });
  assert.equal(firstDs.count, 3);
  assert.equal(firstDs.labels, undefined);
});

test('npz hostile input: not a zip, corrupt zip, label count mismatch, no arrays', async (t) => {
  const dir = tempDir(t);
  const notZip = writeFile(dir, 'not.npz', 'hello, I am text');
  await assertDatasetError(openDataset({ path: notZip }), notZip, /wrong magic number: not a \.npz \(zip\) archive/);
  const good = zipSync({ 'x.npy': npyBytes('|u1', [4, 8], new Uint8Array(32)) }, { level: 0 });
  const corrupt = writeFile(dir, 'corrupt.npz', good.subarray(0, good.length - 30));
  await assertDatasetError(openDataset({ path: corrupt }), corrupt, /is not a readable zip archive/);
  const mismatch = writeFile(dir, 'mismatch.npz', zipSync({ 'x.npy': npyBytes('|u1', [4, 2], new Uint8Array(8)), 'y.npy': npyBytes('|u1', [3], new Uint8Array(3)) }));
  await assertDatasetError(openDataset({ path: mismatch }), mismatch, /array y holds 3 labels but array x holds 4 samples/);
  const fortranInside = writeFile(dir, 'fortran.npz', zipSync({ 'x.npy': npyBytes('<f4', [2, 2], new Uint8Array(16), { fortran: true }) }));
  await assertDatasetError(openDataset({ path: fortranInside }), fortranInside, /array x: is stored in Fortran/);
  const none = writeFile(dir, 'none.npz', zipSync({ 'readme.txt': Buffer.from('hi') }));
  await assertDatasetError(openDataset({ path: none }), none, /holds no \.npy arrays/);
});

test('npy: float32 data at an unaligned offset is copied, aligned data is used in place', () => {
  const values = Buffer.alloc(4 * 4);
  [1.5, -2, 3.25, 4].forEach((v, i) => values.writeFloatLE(v, i * 4));
  const file = npyBytes('<f4', [2, 2], values);
  const shifted = new Uint8Array(file.length + 1);
  shifted.set(file, 1);
  const unaligned = decodeNpy('shifted.npy', shifted.subarray(1));
  assert.deepEqual(Array.from(unaligned.values), [1.5, -2, 3.25, 4]);
  const aligned = new Uint8Array(file.length);
  aligned.set(file);
  const inPlace = decodeNpy('aligned.npy', aligned);
  assert.equal(inPlace.values.buffer, aligned.buffer, 'no copy');
  assert.deepEqual(Array.from(inPlace.values), [1.5, -2, 3.25, 4]);
});

test('npz hostile input: an entry that claims gigabytes is refused before it is inflated', async (t) => {
  const dir = tempDir(t);
  const zip = Buffer.from(zipSync({ 'x.npy': npyBytes('|u1', [4, 8], new Uint8Array(32)) }, { level: 6 }));
  // Patch the uncompressed size in the local header (offset 22) and the central directory entry (offset 24).
  zip.writeUInt32LE(3_000_000_000, 22);
  const central = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  zip.writeUInt32LE(3_000_000_000, central + 24);
  const file = writeFile(dir, 'bomb.npz', zip);
  await assertDatasetError(openDataset({ path: file }), file, /array x claims 2\.8 GiB, more than the 2\.0 GiB this reader loads/);
  zip.writeUInt32LE(50_000_000, 22);
  zip.writeUInt32LE(50_000_000, central + 24);
  const liar = writeFile(dir, 'liar.npz', zip);
  await assertDatasetError(openDataset({ path: liar }), liar, /array x claims 48 MiB from \d+ bytes of compressed data: the archive is corrupt/);
});
