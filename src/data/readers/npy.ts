import * as path from 'node:path';
import { createArrayDataset } from '../array-dataset';
import { DatasetError, product, type Dataset, type StorageArray } from '../dataset';
import type { DatasetRef } from '../../protocol/trainer-protocol';
import { formatBytes, MAX_DATASET_BYTES, readDataFile, readFilePrefix, statFile } from './file-bytes';

/**
 * NumPy .npy: magic "\x93NUMPY", version, header length (uint16 LE in v1, uint32 LE in v2/v3),
 * a Python dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (n, …)}, then the values.
 */

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

type NpyKind = 'uint8' | 'int8' | 'int16' | 'int32' | 'uint16' | 'uint32' | 'float32' | 'float64' | 'bool' | 'int64' | 'uint64' | 'float16';

export interface NpyHeader {
  descr: string;
  kind: NpyKind;
  itemSize: number;
  littleEndian: boolean;
  shape: number[];
  /** Byte offset of the first value. */
  dataOffset: number;
  dataBytes: number;
}

const DESCR_KINDS: Record<string, NpyKind> = {
  u1: 'uint8', i1: 'int8', b1: 'bool', i2: 'int16', u2: 'uint16', i4: 'int32', u4: 'uint32',
  i8: 'int64', u8: 'uint64', f2: 'float16', f4: 'float32', f8: 'float64',
};

/** Parses the header at the start of `bytes` (which may be only a prefix of the file). */
export function parseNpyHeader(file: string, bytes: Uint8Array): NpyHeader {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new DatasetError(file, 'wrong magic number: not a NumPy .npy file (expected "\\x93NUMPY")');
  }
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  let headerLength: number;
  let headerStart: number;
  if (major === 1) {
    headerLength = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new DatasetError(file, 'is truncated inside its .npy header');
    headerLength = view.getUint32(8, true);
    headerStart = 12;
  } else {
    throw new DatasetError(file, `has .npy format version ${major}, only versions 1 to 3 exist`);
  }
  if (headerLength > 1024 * 1024) throw new DatasetError(file, `claims a ${formatBytes(headerLength)} .npy header; not a real NumPy file`);
  if (bytes.length < headerStart + headerLength) throw new DatasetError(file, 'is truncated inside its .npy header');
  const text = Buffer.from(bytes.buffer, bytes.byteOffset + headerStart, headerLength).toString(major === 3 ? 'utf8' : 'latin1');

  const descrMatch = /['"]descr['"]\s*:\s*(['"])([^'"]*)\1/.exec(text);
  if (!descrMatch) {
    if (/['"]descr['"]\s*:\s*\[/.test(text)) throw new DatasetError(file, 'holds a structured array (record dtype); only plain numeric arrays are supported');
    throw new DatasetError(file, `has an unreadable .npy header: ${text.trim().slice(0, 120)}`);
  }
  const descr = descrMatch[2];
  const fortranMatch = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(text);
  const shapeMatch = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text);
  if (!fortranMatch || !shapeMatch) throw new DatasetError(file, `has an unreadable .npy header: ${text.trim().slice(0, 120)}`);
  if (fortranMatch[1] === 'True') {
    throw new DatasetError(file, 'is stored in Fortran (column-major) order; save it in C order, e.g. np.save(f, np.ascontiguousarray(a))');
  }
  const shape = shapeMatch[1]
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => Number(s.replace(/L$/, '')));
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) throw new DatasetError(file, `has an invalid shape (${shapeMatch[1]})`);

  const typeMatch = /^([<>|=]?)([a-zA-Z])(\d+)$/.exec(descr);
  if (descr === '|O' || descr === 'O' || descr.endsWith('O') || (typeMatch && typeMatch[2] === 'O')) {
    throw new DatasetError(file, 'holds Python objects (dtype object); only numeric arrays can be read (save with a numeric dtype, allow_pickle is not supported)');
  }
  const kind = typeMatch ? DESCR_KINDS[`${typeMatch[2]}${typeMatch[3]}`] : undefined;
  if (!typeMatch || !kind) {
    throw new DatasetError(file, `has dtype '${descr}'; supported are uint8, int8, int16, int32, uint16, uint32, int64, uint64, bool, float16, float32, float64`);
  }
  const itemSize = Number(typeMatch[3]);
  const dataOffset = headerStart + headerLength;
  return { descr, kind, itemSize, littleEndian: typeMatch[1] !== '>', shape, dataOffset, dataBytes: product(shape) * itemSize };
}

/** Reads only the header, for discovery. */
export async function peekNpyHeader(file: string): Promise<NpyHeader> {
  const stat = await statFile(file);
  if (stat.size === 0) throw new DatasetError(file, 'is empty (zero bytes)');
  let prefix = await readFilePrefix(file, 4096);
  if (prefix.length >= 12 && prefix[6] >= 2) {
    const headerLength = prefix.readUInt32LE(8);
    if (headerLength + 12 > prefix.length && headerLength <= 1024 * 1024) prefix = await readFilePrefix(file, headerLength + 12);
  }
  return parseNpyHeader(file, prefix);
}

/** Checks the header's claim against the cap and the bytes present, then converts the values. */
export function decodeNpy(file: string, bytes: Uint8Array): { header: NpyHeader; values: StorageArray } {
  const header = parseNpyHeader(file, bytes);
  const shapeText = `(${header.shape.join(', ')})`;
  if (header.dataBytes > MAX_DATASET_BYTES) {
    throw new DatasetError(file, `header claims shape ${shapeText} of ${header.kind} (${formatBytes(header.dataBytes)}), more than the ${formatBytes(MAX_DATASET_BYTES)} this reader loads`);
  }
  const available = bytes.length - header.dataOffset;
  if (available < header.dataBytes) {
    throw new DatasetError(file, `is truncated: header claims shape ${shapeText} of ${header.kind} (${formatBytes(header.dataBytes)}) but only ${formatBytes(available)} of data follow`);
  }
  return { header, values: convertValues(bytes.subarray(header.dataOffset, header.dataOffset + header.dataBytes), header) };
}

function convertValues(data: Uint8Array, header: NpyHeader): StorageArray {
  const count = product(header.shape);
  const le = header.littleEndian;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const nativeLittle = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  // Little-endian data on a little-endian machine is used in place when aligned (the .npy header pads
  // the data to 64 bytes, so it usually is), else copied once into an aligned typed array.
  const direct = <T extends StorageArray>(Ctor: { new (buffer: ArrayBufferLike, byteOffset?: number, length?: number): T; BYTES_PER_ELEMENT: number }): T => {
    if (data.byteOffset % Ctor.BYTES_PER_ELEMENT === 0) return new Ctor(data.buffer, data.byteOffset, count);
    const copy = new Uint8Array(data.byteLength);
    copy.set(data);
    return new Ctor(copy.buffer);
  };
  switch (header.kind) {
    case 'uint8':
      return data;
    // Booleans as 0/1 floats, so image scaling keeps them at 0 and 1 rather than dividing by 255.
    case 'bool':
      return Float32Array.from(data, (v) => (v ? 1 : 0));
    case 'int8':
      return new Int8Array(data.buffer, data.byteOffset, count);
    case 'int16':
      return le && nativeLittle ? direct(Int16Array) : Int16Array.from({ length: count }, (_, i) => view.getInt16(2 * i, le));
    case 'uint16':
      return le && nativeLittle ? direct(Uint16Array) : Uint16Array.from({ length: count }, (_, i) => view.getUint16(2 * i, le));
    case 'int32':
      return le && nativeLittle ? direct(Int32Array) : Int32Array.from({ length: count }, (_, i) => view.getInt32(4 * i, le));
    case 'uint32':
      return le && nativeLittle ? direct(Uint32Array) : Uint32Array.from({ length: count }, (_, i) => view.getUint32(4 * i, le));
    case 'float32':
      return le && nativeLittle ? direct(Float32Array) : Float32Array.from({ length: count }, (_, i) => view.getFloat32(4 * i, le));
    case 'float64':
      return le && nativeLittle ? direct(Float64Array) : Float64Array.from({ length: count }, (_, i) => view.getFloat64(8 * i, le));
    // No 64-bit integer storage type: held as float64 (exact up to 2^53, far beyond any label or pixel).
    case 'int64':
      return Float64Array.from({ length: count }, (_, i) => Number(view.getBigInt64(8 * i, le)));
    case 'uint64':
      return Float64Array.from({ length: count }, (_, i) => Number(view.getBigUint64(8 * i, le)));
    case 'float16':
      return Float32Array.from({ length: count }, (_, i) => halfToFloat(view.getUint16(2 * i, le)));
  }
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/**
 * How an array's shape reads as samples: [n, h, w] and [n, h, w, 1|3] are images, [n, d] is tabular,
 * [n] one value per sample; other shapes are flattened to tabular rows.
 */
export function interpretShape(file: string, shape: number[]): { kind: 'image' | 'tabular'; sampleShape: number[]; inputShape: number[] } {
  if (shape.length === 0) throw new DatasetError(file, 'holds a single number (a 0-dimensional array), not samples');
  const [, ...rest] = shape;
  if (rest.length === 2) return { kind: 'image', sampleShape: rest, inputShape: [...rest, 1] };
  if (rest.length === 3 && (rest[2] === 1 || rest[2] === 3)) return { kind: 'image', sampleShape: rest, inputShape: rest };
  const flat = [product(rest)];
  return { kind: 'tabular', sampleShape: flat, inputShape: flat };
}

/** Builds the dataset of one decoded array (shared with the .npz reader). */
export function datasetFromArray(
  file: string,
  name: string,
  format: 'npy' | 'npz',
  header: NpyHeader,
  values: StorageArray,
  limit: number | undefined,
  labels?: { values: Int32Array; classNames: string[] },
): Dataset {
  const { kind, sampleShape, inputShape } = interpretShape(file, header.shape);
  const total = header.shape[0];
  if (total === 0 || product(sampleShape) === 0) throw new DatasetError(file, `holds no samples (shape (${header.shape.join(', ')}))`);
  const isFloat = values instanceof Float32Array || values instanceof Float64Array;
  for (let i = 0; isFloat && i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      const sample = Math.floor(i / product(sampleShape));
      throw new DatasetError(file, `holds ${values[i]} at sample ${sample} (flat index ${i}); every value must be a finite number`);
    }
  }
  const count = Math.min(total, limit ?? total);
  return createArrayDataset({
    source: file,
    name,
    format,
    kind,
    data: values,
    count,
    sampleShape,
    inputShape,
    labels: labels?.values.subarray(0, count),
    classNames: labels?.classNames,
  });
}

export async function readNpyDataset(ref: DatasetRef): Promise<Dataset> {
  const bytes = await readDataFile(ref.path);
  const { header, values } = decodeNpy(ref.path, bytes);
  return datasetFromArray(ref.path, path.basename(ref.path).replace(/\.npy$/i, ''), 'npy', header, values, ref.limit);
}
