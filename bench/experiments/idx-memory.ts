// Experiment: the resident memory that opening Fashion-MNIST's 60,000 training images costs.
// The IDX reader gunzips with zlib.gunzip, which collects the output in chunks and concatenates
// them: compressed file + chunks + the joined copy at once. Inflating as a stream into one buffer of
// the size the IDX header announces holds only the compressed file and the result.
//   node --expose-gc --import tsx bench/experiments/idx-memory.ts reader|stream|fflate
import { createReadStream } from 'node:fs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import { gunzipSync } from 'fflate';
import { openDataset } from '../../src/data/open-dataset';

const file = join(process.cwd(), '../shared/datasets/fashion-mnist/train-images-idx3-ubyte.gz');

function status(): string {
  const text = readFileSync('/proc/self/status', 'utf8');
  const mb = (field: string) => (Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1]) / 1024).toFixed(0);
  return `RSS ${mb('VmRSS')} MB, peak ${mb('VmHWM')} MB`;
}

/** Inflates a gzip file into one Uint8Array of exactly `size` bytes (the IDX header's claim, capped). */
function gunzipInto(path: string, size: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const out = new Uint8Array(size);
    let offset = 0;
    createReadStream(path)
      .pipe(zlib.createGunzip())
      .on('data', (chunk: Buffer) => {
        const n = Math.min(chunk.length, size - offset);
        out.set(chunk.subarray(0, n), offset);
        offset += n;
      })
      .on('end', () => (offset === size ? resolve(out) : reject(new Error(`${path}: ${offset} of ${size} bytes`))))
      .on('error', reject);
  });
}

async function main(): Promise<void> {
  const mode = process.argv[2] ?? 'reader';
  const gc = (globalThis as { gc?: () => void }).gc;
  console.log(`start: ${status()}`);
  let keep: unknown;
  if (mode === 'reader') {
    keep = await openDataset({ path: file });
  } else if (mode === 'fflate') {
    // fflate inflates straight into a buffer of the announced size: no chunks, no concatenation.
    const t0 = performance.now();
    keep = gunzipSync(readFileSync(file), { out: new Uint8Array(16 + 60000 * 784) });
    console.log(`fflate: ${(performance.now() - t0).toFixed(0)} ms`);
  } else {
    keep = await gunzipInto(file, 16 + 60000 * 784);
  }
  console.log(`${mode}: after reading: ${status()}`);
  gc?.();
  console.log(`${mode}: after a full GC: ${status()}`);
  void keep;
}
void main();
