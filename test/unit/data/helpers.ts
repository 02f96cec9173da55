import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DatasetError } from '../../../src/data/dataset';
import { encodeNpy } from '../../../scripts/npy.mjs';

export const repoRoot = path.resolve(__dirname, '../../..');
export const samplesDir = path.join(repoRoot, 'samples');

/** A fresh temp folder, removed when the test ends. */
export function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ae-data-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function writeFile(dir: string, relative: string, data: Uint8Array | string): string {
  const file = path.join(dir, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, data);
  return file;
}

/** A NumPy v1 .npy file from raw value bytes. */
export function npyBytes(descr: string, shape: number[], values: Uint8Array, options: { fortran?: boolean } = {}): Buffer {
  return encodeNpy(values, shape, descr, options);
}

/** An IDX file: magic 00 00 type dims, big-endian dims, then the value bytes. */
export function idxBytes(typeCode: number, dims: number[], values: Uint8Array): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = typeCode;
  header[3] = dims.length;
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(values)]);
}

/**
 * Asserts that the promise fails with one DatasetError that names the file and matches the problem,
 * and that the message is a sentence, not a stack trace.
 */
export async function assertDatasetError(promise: Promise<unknown>, file: string, problem: RegExp): Promise<DatasetError> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof DatasetError, `expected a DatasetError, got ${caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught)}`);
  assert.equal(caught.file, file);
  assert.match(caught.problem, problem);
  assert.ok(caught.message.startsWith(file), `message names the file: ${caught.message}`);
  assert.doesNotMatch(caught.message, /\n\s+at /, 'no stack trace in the message');
  return caught;
}
