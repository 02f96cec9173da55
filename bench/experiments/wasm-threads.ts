// node --import tsx bench/experiments/wasm-threads.ts [threads]
import { installBlobFileShim } from './wasm-threads-shim';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths, setThreadsCount, getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { join } from 'node:path';
import os from 'node:os';

async function main() {
  const threads = Number(process.argv[2] ?? 2);
  if (threads > 1) {
    installBlobFileShim(join(process.cwd(), 'node_modules/@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js'));
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
    setThreadsCount(threads);
  }
  setWasmPaths(join(process.cwd(), 'node_modules/@tensorflow/tfjs-backend-wasm/dist/'));
  // tfjs' wasm caps its pool at logical cores / 2 ("2 threads per core"), read at wasm start-up via
  // os.cpus() in Node: report twice the cores while it starts so the cap is the real core count.
  const realCpus = os.cpus;
  if (threads > 1) os.cpus = () => [...realCpus(), ...realCpus()];
  try {
    await tf.setBackend('wasm');
    await tf.ready();
  } finally {
    os.cpus = realCpus;
  }
  const b = tf.backend() as unknown as { wasm: Record<string, unknown> };
  console.log('backend', tf.getBackend(), 'threads', getThreadsCount(), 'pthread build', typeof b.wasm.PThread, 'mt flag', await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'), 'running', (b.wasm.PThread as {runningWorkers: unknown[]} | undefined)?.runningWorkers.length);
  const a = tf.randomUniform([128, 784]);
  const w = tf.randomUniform([784, 128]);
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    for (let i = 0; i < 200; i++) tf.tidy(() => tf.matMul(a, w).dataSync());
    console.log('200 matmul 128x784x128 ms', (performance.now() - t0).toFixed(0));
  }
}
main().catch((e) => { console.error('FAILED', e); process.exit(1); });
// (debug) which binary: the threaded build exports pthread helpers
