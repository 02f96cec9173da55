import { promises as fs } from 'node:fs';
import * as zlib from 'node:zlib';
import { DatasetError } from '../dataset';

/**
 * The largest dataset held in memory. Typed arrays and Buffers in Node 20 can go to 4 GiB, but a
 * dataset that large would not train in this lab anyway; the cap turns a hostile header into a
 * clear error before anything is allocated.
 */
export const MAX_DATASET_BYTES = 2 * 1024 ** 3;

/** Text formats are parsed through a JS string; V8 strings stop at about 512 MiB. */
export const MAX_TEXT_BYTES = 256 * 1024 ** 2;

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** Reads a whole file with the common checks: exists, is a file, not empty, not over `maxBytes`. */
export async function readDataFile(file: string, maxBytes = MAX_DATASET_BYTES): Promise<Buffer> {
  const stat = await statFile(file);
  if (!stat.isFile()) throw new DatasetError(file, 'is not a file');
  if (stat.size === 0) throw new DatasetError(file, 'is empty (zero bytes)');
  if (stat.size > maxBytes) {
    throw new DatasetError(file, `is ${formatBytes(stat.size)}, more than the ${formatBytes(maxBytes)} this reader loads`);
  }
  try {
    return await fs.readFile(file);
  } catch (error) {
    throw new DatasetError(file, `cannot be read (${errorMessage(error)})`);
  }
}

export async function statFile(file: string): Promise<import('node:fs').Stats> {
  try {
    return await fs.stat(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DatasetError(file, 'does not exist');
    throw new DatasetError(file, `cannot be opened (${errorMessage(error)})`);
  }
}

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Decompresses gzip with a hard output cap, so a gzip bomb or a lying header never exhausts memory.
 * Corrupt and truncated streams become one DatasetError.
 */
export function gunzipCapped(file: string, compressed: Uint8Array, maxOutputBytes: number): Promise<Buffer> {
  const cap = Math.max(1, Math.min(maxOutputBytes, MAX_DATASET_BYTES));
  return new Promise((resolve, reject) => {
    // Inflated straight into one buffer of the cap's size: zlib.gunzip holds every output chunk and
    // then their joined copy (the trainer's peak memory on Fashion-MNIST's 60,000 images: 29 MB
    // less; bench/experiments/idx-memory.ts). Deflate expands at most ~1032:1, so a lying header
    // over a small file never reserves more than the data could hold.
    const out = Buffer.allocUnsafe(Math.min(cap, compressed.length * 1032 + 1024));
    let length = 0;
    const gunzip = zlib.createGunzip();
    const fail = (error: DatasetError) => {
      gunzip.destroy();
      reject(error);
    };
    gunzip.on('data', (chunk: Buffer) => {
      if (length + chunk.length > out.length) return fail(new DatasetError(file, `decompresses to more than ${formatBytes(maxOutputBytes)}, more than its header allows`));
      chunk.copy(out, length);
      length += chunk.length;
    });
    gunzip.on('end', () => resolve(out.subarray(0, length)));
    gunzip.on('error', (error) => {
      const message = errorMessage(error);
      if (/unexpected end/i.test(message)) return fail(new DatasetError(file, 'gzip data is truncated (unexpected end of file)'));
      fail(new DatasetError(file, `gzip data is corrupt (${message})`));
    });
    gunzip.end(compressed);
  });
}

/**
 * The first bytes of a gzip stream, for header peeks: inflates only what the first `readBytes` of
 * the file hold (Z_SYNC_FLUSH returns partial output instead of failing on the cut).
 */
export function gunzipPrefix(file: string, compressedPrefix: Uint8Array): Buffer {
  try {
    return zlib.gunzipSync(compressedPrefix, { finishFlush: zlib.constants.Z_SYNC_FLUSH, maxOutputLength: 1 << 24 });
  } catch (error) {
    if (error instanceof RangeError) return Buffer.alloc(0);
    throw new DatasetError(file, `gzip data is corrupt (${errorMessage(error)})`);
  }
}

/** Reads at most `length` bytes from the start of a file. */
export async function readFilePrefix(file: string, length: number): Promise<Buffer> {
  const handle = await fs.open(file, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Reads `length` bytes at `position` (fewer at the end of the file). */
export async function readFileRange(file: string, position: number, length: number): Promise<Buffer> {
  const handle = await fs.open(file, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, position);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
