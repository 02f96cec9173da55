// Experiment: tfjs-backend-wasm's threaded SIMD build under Node. Emscripten creates its pthread
// workers from blob: URLs, which Node's worker_threads refuses; this shim turns those blobs into
// temporary files before the backend initializes.
import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { Worker as NodeWorker } from 'node:worker_threads';
import { tmpdir } from 'node:os';
import os from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setThreadsCount } from '@tensorflow/tfjs-backend-wasm';

const NativeBlob = globalThis.Blob;
const textOf = new WeakMap<Blob, string>();

/**
 * @param threadedScript path of tfjs-backend-wasm's wasm-out/tfjs-backend-wasm-threaded-simd.js: the
 * factory's own source, which the pthread workers evaluate (the copy tfjs makes with toString() refers
 * to names of the bundle it was taken from and fails there).
 */
export function installBlobFileShim(threadedScript: string): void {
  const dir = mkdtempSync(join(tmpdir(), 'tfjs-wasm-threads-'));
  let mainScriptPath: string | undefined;
  class RecordingBlob extends NativeBlob {
    constructor(...args: ConstructorParameters<typeof Blob>) {
      super(...args);
      const parts = args[0];
      if (!parts || !parts.every((p) => typeof p === 'string')) return;
      const text = (parts as unknown as string[]).join('');
      textOf.set(this, text);
      // The main script is handed to the workers as a Blob (Module.mainScriptUrlOrBlob), never
      // through createObjectURL on this thread: write it out as soon as it exists.
      if (text.startsWith('var WasmBackendModuleThreadedSimd')) mainScriptPath = threadedScript;
    }
  }
  globalThis.Blob = RecordingBlob as typeof Blob;
  const nativeCreate = URL.createObjectURL.bind(URL);
  URL.createObjectURL = (blob: Blob): string => {
    const text = textOf.get(blob);
    if (text === undefined) return nativeCreate(blob);
    if (text.startsWith('var WasmBackendModuleThreadedSimd')) return mainScriptPath!;
    // The pthread worker script: the worker receives the main script as a Blob it cannot read
    // from a file; point it at the file written above instead.
    const workerText = text;
    const prefix = mainScriptPath ? `URL.createObjectURL=()=>${JSON.stringify(mainScriptPath)};URL.revokeObjectURL=()=>{};` : '';
    const file = join(dir, `worker.js`);
    writeFileSync(file, prefix + workerText);
    return file;
  };
}

/**
 * Prepares tfjs-backend-wasm to start its threaded SIMD build with `threads` XNNPACK threads under
 * Node. Call before the wasm backend initializes; call the returned function once it has.
 * - the threaded build is forced on (tfjs turns it off in Node: tensorflow/tfjs#3830, the blob: workers);
 * - blob: worker scripts become files (installBlobFileShim);
 * - tfjs caps its pool at logical cores / 2, read from os.cpus() at wasm start-up: twice the cores
 *   are reported until it has started, so the cap is the real core count.
 */
export function prepareThreadedWasm(threads: number, threadedScript: string): () => void {
  installBlobFileShim(threadedScript);
  limitWorkerPool(threads - 1, threadedScript);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  setThreadsCount(threads);
  const realCpus = os.cpus;
  os.cpus = () => [...realCpus(), ...realCpus()];
  return () => {
    os.cpus = realCpus;
  };
}

/** Stands in for a pthread worker that is never used: answers `load` with `loaded`, costs nothing. */
class IdleWorker extends EventEmitter {
  postMessage(message: { cmd?: string }): void {
    if (message.cmd === 'load') setImmediate(() => this.emit('message', { cmd: 'loaded' }));
    else throw new Error(`an idle wasm pthread worker was asked to ${message.cmd}`);
  }
  ref(): void {}
  unref(): void {}
  terminate(): Promise<number> {
    return Promise.resolve(0);
  }
}

/**
 * Emscripten starts a fixed pool of pthread workers (8 in tfjs-backend-wasm 4.22: about 9 MB each
 * in Node) although XNNPACK's pool of n threads uses n - 1 of them. The module sets
 * `global.Worker = worker_threads.Worker` when it starts; this keeps that assignment from landing
 * and hands out real workers only for the last `needed` slots of the pool (pthread_create takes
 * workers from the end), idle stand-ins for the rest. Workers beyond the pool are real.
 */
function limitWorkerPool(needed: number, threadedScript: string): void {
  const poolSize = Number(/pthreadPoolSize=(\d+)/.exec(readFileSync(threadedScript, 'utf8'))?.[1] ?? 0);
  let created = 0;
  function PooledWorker(this: unknown, path: string, options?: object): object {
    const index = created++;
    return index >= poolSize - needed ? new NodeWorker(path, options) : new IdleWorker();
  }
  Object.defineProperty(globalThis, 'Worker', { configurable: true, get: () => PooledWorker, set: () => {} });
}
