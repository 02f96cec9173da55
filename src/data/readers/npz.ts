import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { unzipSync, type UnzipFileInfo } from 'fflate';
import { DatasetError, type Dataset } from '../dataset';
import type { DatasetRef } from '../../protocol/trainer-protocol';
import { errorMessage, formatBytes, MAX_DATASET_BYTES, readDataFile, readFileRange, statFile } from './file-bytes';
import { classLabelsFromNumbers } from './labels';
import { datasetFromArray, decodeNpy, parseNpyHeader, type NpyHeader } from './npy';

/** NumPy .npz: a zip of .npy files (np.savez stores them, np.savez_compressed deflates them). */

const DATA_NAMES = ['x', 'data', 'images', 'x_train', 'features', 'inputs'];
const LABEL_NAMES = ['y', 'labels', 'y_train', 'targets', 'label'];

function arrayName(entry: string): string {
  return entry.replace(/\.npy$/i, '');
}

/** The data array by name (x, data, images, …; else the first array that is not labels) and the labels array (y, labels). */
export function pickNpzArrays(names: readonly string[]): { data?: string; labels?: string } {
  const byName = (wanted: string[]): string | undefined => {
    for (const w of wanted) {
      const hit = names.find((n) => arrayName(n).toLowerCase() === w);
      if (hit) return hit;
    }
    return undefined;
  };
  const labels = byName(LABEL_NAMES);
  const data = byName(DATA_NAMES) ?? names.find((n) => n !== labels && n.toLowerCase().endsWith('.npy'));
  return { data, labels };
}

/** Runs a step on one array of the archive; its errors name the archive and then the array. */
function inArray<T>(file: string, entry: string, step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof DatasetError) throw new DatasetError(file, `array ${arrayName(entry)}: ${error.problem}`);
    throw error;
  }
}

function unzip(file: string, bytes: Uint8Array, filter: (info: UnzipFileInfo) => boolean): Record<string, Uint8Array> {
  try {
    return unzipSync(bytes, { filter });
  } catch (error) {
    if (error instanceof DatasetError) throw error;
    throw new DatasetError(file, `is not a readable zip archive (${errorMessage(error)})`);
  }
}

export async function readNpzDataset(ref: DatasetRef): Promise<Dataset> {
  const file = ref.path;
  const bytes = await readDataFile(file);
  if (bytes.length < 4 || bytes.readUInt32LE(0) !== 0x04034b50) {
    throw new DatasetError(file, 'wrong magic number: not a .npz (zip) archive');
  }
  // First pass lists the entries without inflating anything; sizes are checked before the real pass.
  const entries: UnzipFileInfo[] = [];
  unzip(file, bytes, (info) => {
    entries.push(info);
    return false;
  });
  const { data, labels } = pickNpzArrays(entries.map((e) => e.name));
  if (!data) throw new DatasetError(file, 'holds no .npy arrays');
  for (const entry of entries.filter((e) => e.name === data || e.name === labels)) {
    if (entry.originalSize > MAX_DATASET_BYTES) {
      throw new DatasetError(file, `array ${arrayName(entry.name)} claims ${formatBytes(entry.originalSize)}, more than the ${formatBytes(MAX_DATASET_BYTES)} this reader loads`);
    }
    // Deflate cannot expand more than about 1032:1; a larger claim is a lie, refused before inflating allocates it.
    if (entry.originalSize > entry.size * 1032 + 1024) {
      throw new DatasetError(file, `array ${arrayName(entry.name)} claims ${formatBytes(entry.originalSize)} from ${formatBytes(entry.size)} of compressed data: the archive is corrupt`);
    }
  }
  const files = unzip(file, bytes, (info) => info.name === data || info.name === labels);
  const decoded = inArray(file, data, () => decodeNpy(file, files[data]));
  let classLabels;
  if (labels) {
    const labelShape = inArray(file, labels, () => decodeNpy(file, files[labels]));
    const shape = labelShape.header.shape;
    if (shape.length !== 1 && !(shape.length === 2 && shape[1] === 1)) {
      throw new DatasetError(file, `array ${arrayName(labels)} has shape (${shape.join(', ')}); labels need one class number per sample`);
    }
    if (shape[0] !== decoded.header.shape[0]) {
      throw new DatasetError(file, `array ${arrayName(labels)} holds ${shape[0]} labels but array ${arrayName(data)} holds ${decoded.header.shape[0]} samples`);
    }
    classLabels = inArray(file, labels, () => classLabelsFromNumbers(file, labelShape.values));
  }
  return datasetFromArray(file, path.basename(file).replace(/\.npz$/i, ''), 'npz', decoded.header, decoded.values, ref.limit, classLabels);
}

interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  localHeaderOffset: number;
}

/** The zip's central directory, read from the end of the file only. */
async function listZipEntries(file: string, size: number): Promise<ZipEntry[]> {
  const tailLength = Math.min(size, 65557);
  const tail = await readFileRange(file, size - tailLength, tailLength);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new DatasetError(file, 'is not a zip archive (no end of central directory)');
  const directorySize = tail.readUInt32LE(eocd + 12);
  const directoryOffset = tail.readUInt32LE(eocd + 16);
  if (directoryOffset === 0xffffffff || directorySize > 16 * 1024 * 1024) return []; // zip64 or absurd: no cheap peek
  const directory = await readFileRange(file, directoryOffset, directorySize);
  const entries: ZipEntry[] = [];
  for (let p = 0; p + 46 <= directory.length && directory.readUInt32LE(p) === 0x02014b50; ) {
    const nameLength = directory.readUInt16LE(p + 28);
    const extraLength = directory.readUInt16LE(p + 30);
    const commentLength = directory.readUInt16LE(p + 32);
    entries.push({
      name: directory.toString('utf8', p + 46, p + 46 + nameLength),
      method: directory.readUInt16LE(p + 10),
      compressedSize: directory.readUInt32LE(p + 20),
      localHeaderOffset: directory.readUInt32LE(p + 42),
    });
    p += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** The .npy header of the data array (and the labels' presence) without reading the arrays: for discovery. */
export async function peekNpz(file: string): Promise<{ header: NpyHeader; labels: boolean }> {
  const stat = await statFile(file);
  if (stat.size === 0) throw new DatasetError(file, 'is empty (zero bytes)');
  const entries = await listZipEntries(file, stat.size);
  const { data, labels } = pickNpzArrays(entries.map((e) => e.name));
  const entry = entries.find((e) => e.name === data);
  if (!entry) throw new DatasetError(file, 'holds no .npy arrays');
  const local = await readFileRange(file, entry.localHeaderOffset, 30);
  if (local.length < 30 || local.readUInt32LE(0) !== 0x04034b50) throw new DatasetError(file, 'has a broken zip entry header');
  const start = entry.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  const head = await readFileRange(file, start, Math.min(entry.compressedSize === 0xffffffff ? 4096 : entry.compressedSize, 4096));
  let npyPrefix: Uint8Array = head;
  if (entry.method === 8) {
    try {
      npyPrefix = zlib.inflateRawSync(head, { finishFlush: zlib.constants.Z_SYNC_FLUSH, maxOutputLength: 1 << 24 });
    } catch (error) {
      throw new DatasetError(file, `array ${arrayName(entry.name)} is corrupt (${errorMessage(error)})`);
    }
  } else if (entry.method !== 0) {
    throw new DatasetError(file, `array ${arrayName(entry.name)} uses zip compression method ${entry.method}; only stored and deflated are supported`);
  }
  return { header: inArray(file, entry.name, () => parseNpyHeader(file, npyPrefix)), labels: labels !== undefined };
}
