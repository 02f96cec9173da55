import { existsSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import * as util from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
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
  for (const name of order) {
    if (await tryBackend(name)) return { name: tf.getBackend(), tf };
  }
  throw new Error('No TensorFlow.js backend could be initialised (tried ' + order.join(', ') + ').');
}

async function tryBackend(name: 'tensorflow' | 'wasm' | 'cpu'): Promise<boolean> {
  try {
    if (name === 'tensorflow') {
      if (!loadTfjsNode()) return false;
    } else if (name === 'wasm') {
      setWasmPaths(wasmFolder());
      registerWasmTrainingKernels();
    } else {
      registerCpuKernelFixes();
    }
    // setBackend resolves to false (with a console warning) when the backend fails to initialise.
    return (await tf.setBackend(name)) && tf.getBackend() === name;
  } catch {
    return false;
  }
}

/** Loads the optional native backend; false when it is not installed or cannot load. */
function loadTfjsNode(): boolean {
  // tfjs-node 4.22 calls util.isNullOrUndefined, which Node >= 23 (and VS Code's Electron) removed.
  const legacyUtil = util as typeof util & { isNullOrUndefined?: (value: unknown) => boolean };
  if (typeof legacyUtil.isNullOrUndefined !== 'function') {
    legacyUtil.isNullOrUndefined = (value: unknown) => value === null || value === undefined;
  }
  try {
    // Optional and external to the bundle (scripts/build.mjs): resolved at run time or not at all.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a static import would make it mandatory
    require('@tensorflow/tfjs-node');
    return true;
  } catch {
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
