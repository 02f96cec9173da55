import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { createArrayDataset } from '../array-dataset';
import { DatasetError, product, type Dataset, type StorageArray } from '../dataset';
import type { DatasetRef } from '../../protocol/trainer-protocol';
import {
  formatBytes,
  gunzipCapped,
  gunzipPrefix,
  isGzip,
  MAX_DATASET_BYTES,
  readDataFile,
  readFilePrefix,
  statFile,
} from './file-bytes';

/**
 * MNIST-style IDX files: a 4-byte magic (0, 0, type code, number of dimensions), the dimensions as
 * big-endian uint32, then the values big-endian. idx3 files hold images [n, h, w], idx1 files labels [n].
 */

const IDX_TYPES = {
  0x08: { name: 'uint8', size: 1 },
  0x09: { name: 'int8', size: 1 },
  0x0b: { name: 'int16', size: 2 },
  0x0c: { name: 'int32', size: 4 },
  0x0d: { name: 'float32', size: 4 },
  0x0e: { name: 'float64', size: 8 },
} as const;
type IdxTypeCode = keyof typeof IDX_TYPES;

export interface IdxHeader {
  typeCode: number;
  typeName: string;
  elementSize: number;
  /** All dimensions, the first is the sample count. */
  dims: number[];
  /** Bytes before the values. */
  headerBytes: number;
  /** Bytes the header says the values take. */
  dataBytes: number;
}

/** Largest ratio deflate can reach (about 1032:1): a gzip smaller than claimed / 1032 cannot hold the claim. */
const DEFLATE_MAX_RATIO = 1032;

const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

/** True for file names the IDX reader takes: *-idx3-ubyte, *.idx, optionally gzipped. */
export function isIdxFileName(file: string): boolean {
  const base = path.basename(file).toLowerCase().replace(/\.gz$/, '');
  return /-idx\d+-ubyte$/.test(base) || /\.idx\d*(-ubyte)?$/.test(base) || base.endsWith('.idx');
}

export function parseIdxHeader(file: string, bytes: Uint8Array): IdxHeader {
  if (bytes.length < 4) throw new DatasetError(file, `is too short for an IDX header (${bytes.length} bytes)`);
  const typeCode = bytes[2];
  const dimCount = bytes[3];
  const type = IDX_TYPES[typeCode as IdxTypeCode];
  if (bytes[0] !== 0 || bytes[1] !== 0 || !type || dimCount < 1 || dimCount > 8) {
    const magic = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new DatasetError(file, `wrong magic number ${magic}: not an IDX file (expected 00 00 08 03 for images, 00 00 08 01 for labels)`);
  }
  const headerBytes = 4 + 4 * dimCount;
  if (bytes.length < headerBytes) throw new DatasetError(file, `is truncated inside its IDX header (${bytes.length} of ${headerBytes} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, headerBytes);
  const dims: number[] = [];
  for (let d = 0; d < dimCount; d++) dims.push(view.getUint32(4 + 4 * d, false));
  return { typeCode, typeName: type.name, elementSize: type.size, dims, headerBytes, dataBytes: product(dims) * type.size };
}

/** Reads only the header (through the first KiB, inflated if gzipped): cheap for discovery. */
export async function peekIdxHeader(file: string): Promise<IdxHeader> {
  const stat = await statFile(file);
  if (stat.size === 0) throw new DatasetError(file, 'is empty (zero bytes)');
  let prefix: Uint8Array = await readFilePrefix(file, 4096);
  if (isGzip(prefix)) prefix = gunzipPrefix(file, prefix);
  return parseIdxHeader(file, prefix);
}

function describeDims(dims: number[]): string {
  return dims.map((d) => d.toLocaleString('en-US')).join(' × ');
}

function checkClaim(file: string, header: IdxHeader): void {
  if (header.headerBytes + header.dataBytes > MAX_DATASET_BYTES) {
    throw new DatasetError(
      file,
      `header claims ${describeDims(header.dims)} ${header.typeName} values (${formatBytes(header.dataBytes)}), more than the ${formatBytes(MAX_DATASET_BYTES)} this reader loads`,
    );
  }
}

function truncatedError(file: string, header: IdxHeader, available: number): DatasetError {
  return new DatasetError(
    file,
    `is truncated: header claims ${describeDims(header.dims)} ${header.typeName} values (${formatBytes(header.dataBytes)}) but only ${formatBytes(Math.max(0, available))} of data follow`,
  );
}

/** The whole file as header + values, with every size check done before the big allocation. */
export async function readIdxFile(file: string): Promise<{ header: IdxHeader; values: StorageArray }> {
  const raw = await readDataFile(file);
  let bytes: Uint8Array = raw;
  if (isGzip(raw)) {
    const header = parseIdxHeader(file, gunzipPrefix(file, raw.subarray(0, 4096)));
    checkClaim(file, header);
    const claimed = header.headerBytes + header.dataBytes;
    if (claimed > raw.length * DEFLATE_MAX_RATIO) throw truncatedError(file, header, raw.length * DEFLATE_MAX_RATIO - header.headerBytes);
    // A little slack for harmless trailing bytes; anything beyond is refused by the cap.
    bytes = await gunzipCapped(file, raw, claimed + 1024 * 1024);
  }
  const header = parseIdxHeader(file, bytes);
  checkClaim(file, header);
  if (bytes.length < header.headerBytes + header.dataBytes) throw truncatedError(file, header, bytes.length - header.headerBytes);
  return { header, values: idxValues(bytes, header) };
}

function idxValues(bytes: Uint8Array, header: IdxHeader): StorageArray {
  const count = product(header.dims);
  const start = header.headerBytes;
  if (header.typeCode === 0x08) return bytes.subarray(start, start + count);
  if (header.typeCode === 0x09) return new Int8Array(bytes.buffer, bytes.byteOffset + start, count);
  // Multi-byte IDX values are big-endian: read them through a DataView into native order.
  const view = new DataView(bytes.buffer, bytes.byteOffset + start, header.dataBytes);
  switch (header.typeCode) {
    case 0x0b: return Int16Array.from({ length: count }, (_, i) => view.getInt16(2 * i, false));
    case 0x0c: return Int32Array.from({ length: count }, (_, i) => view.getInt32(4 * i, false));
    case 0x0d: return Float32Array.from({ length: count }, (_, i) => view.getFloat32(4 * i, false));
    default: return Float64Array.from({ length: count }, (_, i) => view.getFloat64(8 * i, false));
  }
}

/** Candidate names of the labels file paired with an images file: "images" -> "labels", "idx3" -> "idx1". */
export function labelsFileCandidates(imagesFile: string): string[] {
  const dir = path.dirname(imagesFile);
  const base = path.basename(imagesFile);
  const stem = base.replace(/\.gz$/i, '');
  const swapped = stem.replace(/images/gi, (m) => (m === 'IMAGES' ? 'LABELS' : m[0] === 'I' ? 'Labels' : 'labels')).replace(/idx3/gi, 'idx1');
  if (swapped === stem) return [];
  return [swapped, `${swapped}.gz`].map((name) => path.join(dir, name));
}

export async function findLabelsFile(imagesFile: string): Promise<string | undefined> {
  for (const candidate of labelsFileCandidates(imagesFile)) {
    try {
      if ((await fs.stat(candidate)).isFile()) return candidate;
    } catch {
      // not there: try the next name
    }
  }
  return undefined;
}

/** Names for classes when they are known (Fashion-MNIST), otherwise the label numbers. */
function classNamesFor(file: string, classCount: number): string[] {
  if (/fashion/i.test(file) && classCount <= 10) return FASHION_MNIST_CLASSES.slice(0, Math.max(classCount, 10));
  return Array.from({ length: classCount }, (_, k) => String(k));
}

/**
 * A short name for runs and titles: "fashion-mnist-train" for fashion-mnist/train-images-idx3-ubyte.gz
 * (folder, then what precedes "images"); the file's stem when the name has no "images" in it.
 */
export function idxDatasetName(file: string): string {
  const stem = path.basename(file).replace(/\.gz$/i, '').replace(/[-.]idx\d*(-ubyte)?$/i, '');
  const folder = path.basename(path.dirname(file));
  const match = /^(.*?)[-_.]?images\b/i.exec(stem);
  if (!match) return stem;
  return [folder, match[1]].filter((part) => part.length > 0).join('-');
}

export async function readIdxDataset(ref: DatasetRef): Promise<Dataset> {
  const file = ref.path;
  const { header, values } = await readIdxFile(file);
  const [totalCount, ...sampleShape] = header.dims;
  if (sampleShape.length === 0) {
    throw new DatasetError(file, 'holds labels only (1 dimension); open the matching images file (idx3) instead');
  }
  if (sampleShape.length > 3) throw new DatasetError(file, `has ${header.dims.length} dimensions; images need 3 ([n, h, w]) or 4 ([n, h, w, c])`);
  if (totalCount === 0 || product(sampleShape) === 0) throw new DatasetError(file, `holds no samples (dimensions ${describeDims(header.dims)})`);
  const isImage = sampleShape.length >= 2;
  if (sampleShape.length === 3 && sampleShape[2] !== 1 && sampleShape[2] !== 3) {
    throw new DatasetError(file, `images have ${sampleShape[2]} channels; 1 (grey) or 3 (RGB) are supported`);
  }
  const count = Math.min(totalCount, ref.limit ?? totalCount);

  let labels: Int32Array | undefined;
  let classNames: string[] | undefined;
  const labelsFile = await findLabelsFile(file);
  if (labelsFile) {
    const labelData = await readIdxFile(labelsFile);
    if (labelData.header.dims.length !== 1) {
      throw new DatasetError(labelsFile, `is not a labels file: it has dimensions ${describeDims(labelData.header.dims)}, labels have one`);
    }
    if (labelData.header.dims[0] !== totalCount) {
      throw new DatasetError(
        labelsFile,
        `holds ${labelData.header.dims[0].toLocaleString('en-US')} labels but ${path.basename(file)} holds ${totalCount.toLocaleString('en-US')} images`,
      );
    }
    labels = new Int32Array(count);
    let maxLabel = 0;
    for (let i = 0; i < count; i++) {
      const label = labelData.values[i];
      if (!Number.isInteger(label) || label < 0 || label > 65535) throw new DatasetError(labelsFile, `label ${label} of sample ${i} is not a class number`);
      labels[i] = label;
      if (label > maxLabel) maxLabel = label;
    }
    classNames = classNamesFor(file, maxLabel + 1);
  }

  return createArrayDataset({
    source: file,
    name: idxDatasetName(file),
    format: 'idx',
    kind: isImage ? 'image' : 'tabular',
    data: values,
    count,
    sampleShape,
    labels,
    classNames,
  });
}
