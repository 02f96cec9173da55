import { existsSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerTensorflowTrainingKernels } from './tensorflow-kernels/register-tensorflow-training-kernels';
import { loadTfjsNode } from './tfjs-node-loader';
import { recordTfjsNodeOrigin, tfjsNodeOrigin } from './tfjs-node-origin';
import { registerCpuKernelFixes, registerWasmTrainingKernels } from './wasm-kernels/register-wasm-training-kernels';

export type PreferredBackend = 'auto' | 'tensorflow' | 'wasm' | 'cpu';

export interface ActiveBackend {
  /** The backend actually in use: 'tensorflow' (tfjs-node), 'wasm' or 'cpu'. */
  name: string;
  /**
   * The tfjs namespace to use. tfjs keeps its engine and kernel registry on the global object,
   * so this (statically imported) copy runs on whichever backend was activated here.
   */
  tf: typeof tf;
  /** For 'tensorflow': the tfjs-node package folder it was loaded from. */
  loadedFrom?: string;
  /** Why tfjs-node did not load, where it was found but failed (empty when it was simply absent). */
  nativeFailures: string[];
}

let active: Promise<ActiveBackend> | undefined;

/**
 * Activates the fastest backend that loads: tfjs-node ('tensorflow'), else wasm (SIMD), else cpu.
 * `preferred` only moves a backend to the front; an unavailable one falls through to the next.
 * Safe to call more than once: the first call decides.
 */
export function initBackend(preferred: PreferredBackend = 'auto'): Promise<ActiveBackend> {
  active ??= activate(preferred);
  return active;
}

async function activate(preferred: PreferredBackend): Promise<ActiveBackend> {
  const order: Array<'tensorflow' | 'wasm' | 'cpu'> =
    preferred === 'cpu' ? ['cpu'] : preferred === 'wasm' ? ['wasm', 'cpu'] : ['tensorflow', 'wasm', 'cpu'];
  const nativeFailures: string[] = [];
  for (const name of order) {
    if (await activateBackend(name, nativeFailures)) {
      return { name: tf.getBackend(), tf, nativeFailures, ...(name === 'tensorflow' ? { loadedFrom: tfjsNodeOrigin() } : {}) };
    }
  }
  throw new Error('No TensorFlow.js backend could be initialised (tried ' + order.join(', ') + ').');
}

const registered = new Set<string>();

/**
 * Makes `name` the active backend, registering it on first use; false when it cannot load here. The
 * tests' backend matrix switches with it between models (the trainer itself calls initBackend once).
 */
export async function activateBackend(name: 'tensorflow' | 'wasm' | 'cpu', nativeFailures: string[] = []): Promise<boolean> {
  try {
    if (!registered.has(name)) {
      if (name === 'tensorflow') {
        const loaded = loadTfjsNode(nativeFailures);
        if (!loaded) return false;
        recordTfjsNodeOrigin(loaded.packageDir);
        registerTensorflowTrainingKernels();
      } else if (name === 'wasm') {
        setWasmPaths(wasmFolder());
        registerWasmTrainingKernels();
      } else {
        registerCpuKernelFixes();
      }
      registered.add(name);
    }
    // setBackend resolves to false (with a console warning) when the backend fails to initialise.
    return (await tf.setBackend(name)) && tf.getBackend() === name;
  } catch (error) {
    if (name === 'tensorflow') nativeFailures.push(error instanceof Error ? error.message : String(error));
    return false;
  }
}

/**
 * The folder holding the .wasm binaries, with a trailing separator (setWasmPaths concatenates).
 * The bundled trainer ships them in dist/wasm beside itself; from sources (tsx, tests) they are in the package.
 */
export function wasmFolder(): string {
  const beside = join(__dirname, 'wasm');
  if (existsSync(join(beside, 'tfjs-backend-wasm-simd.wasm'))) return beside + sep;
  return dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + sep;
}
