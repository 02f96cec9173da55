// Experiment: where does time go in dense training on wasm? Variants of the per-batch loop, raw tfjs.
// node --import tsx bench/experiments/dense-raw.ts [samples] [backend]
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const samples = Number(process.argv[2] ?? 10000);
const backend = process.argv[3] ?? 'wasm';
const root = process.cwd();
setWasmPaths(join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist/'));

function loadImages(): Uint8Array {
  const raw = gunzipSync(readFileSync(join(root, '../shared/datasets/fashion-mnist/train-images-idx3-ubyte.gz')));
  return raw.subarray(16, 16 + samples * 784);
}

function build(mirrored: boolean): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.dense({ inputShape: [784], units: 128, activation: 'relu' }));
  m.add(tf.layers.dense({ units: 64, activation: 'relu' }));
  if (mirrored) m.add(tf.layers.dense({ units: 128, activation: 'relu' }));
  m.add(tf.layers.dense({ units: 784, activation: 'sigmoid' }));
  return m;
}

function permutation(n: number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

const pixels = loadImages();
const batchSize = 128;

type Variant = (model: tf.LayersModel, opt: tf.Optimizer) => Promise<number>;

function fill(order: Int32Array, start: number, n: number, out: Float32Array): void {
  for (let k = 0; k < n; k++) {
    const base = order[start + k] * 784;
    for (let p = 0; p < 784; p++) out[k * 784 + p] = pixels[base + p] / 255;
  }
}

const variants: Record<string, Variant> = {
  // per batch: fill float32, tensor, minimize, dataSync loss, await setImmediate
  syncEveryBatch: async (model, opt) => {
    const order = permutation(samples);
    const buf = new Float32Array(batchSize * 784);
    let total = 0;
    for (let s = 0; s < samples; s += batchSize) {
      const n = Math.min(batchSize, samples - s);
      fill(order, s, n, buf);
      const x = tf.tensor2d(buf.subarray(0, n * 784), [n, 784]);
      const loss = opt.minimize(() => tf.losses.meanSquaredError(x, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, true)!;
      total += loss.dataSync()[0] * n;
      loss.dispose();
      x.dispose();
      await new Promise((r) => setImmediate(r));
    }
    return total / samples;
  },
  // losses accumulated on device, read once per 20 batches; yield every 20 batches
  syncEvery20: async (model, opt) => {
    const order = permutation(samples);
    const buf = new Float32Array(batchSize * 784);
    let total = 0;
    let pending: tf.Scalar[] = [];
    const flush = () => {
      if (pending.length === 0) return;
      const s = tf.tidy(() => tf.addN(pending));
      total += s.dataSync()[0];
      s.dispose();
      pending.forEach((t) => t.dispose());
      pending = [];
    };
    let b = 0;
    for (let s = 0; s < samples; s += batchSize, b++) {
      const n = Math.min(batchSize, samples - s);
      fill(order, s, n, buf);
      const x = tf.tensor2d(buf.subarray(0, n * 784), [n, 784]);
      const loss = opt.minimize(() => tf.mul(tf.losses.meanSquaredError(x, model.apply(x, { training: true }) as tf.Tensor), n) as tf.Scalar, true)!;
      pending.push(loss);
      x.dispose();
      if (b % 20 === 19) {
        flush();
        await new Promise((r) => setImmediate(r));
      }
    }
    flush();
    return total / samples;
  },
  // Keras fit on a pre-built float tensor
  fit: async (model) => {
    const all = new Float32Array(samples * 784);
    for (let i = 0; i < all.length; i++) all[i] = pixels[i] / 255;
    const x = tf.tensor2d(all, [samples, 784]);
    const h = await model.fit(x, x, { batchSize, epochs: 1, shuffle: true, verbose: 0 });
    x.dispose();
    return h.history.loss[0] as number;
  },
};

async function main() {
  await tf.setBackend(backend);
  await tf.ready();
  console.log('backend', tf.getBackend(), 'samples', samples);
  const mirrored = process.env.MIRRORED === '1';
  for (const [name, run] of Object.entries(variants)) {
    if (process.env.ONLY && process.env.ONLY !== name) continue;
    const warm = build(mirrored);
    warm.compile({ optimizer: tf.train.adam(1e-3), loss: 'meanSquaredError' });
    const opt0 = tf.train.adam(1e-3);
    // warm-up: few batches
    const wx = tf.tensor2d(new Float32Array(batchSize * 784).fill(0.5), [batchSize, 784]);
    for (let i = 0; i < 3; i++) opt0.minimize(() => tf.losses.meanSquaredError(wx, warm.apply(wx, { training: true }) as tf.Tensor) as tf.Scalar);
    wx.dispose();
    const model = build(mirrored);
    const opt = tf.train.adam(1e-3);
    model.compile({ optimizer: opt, loss: 'meanSquaredError' });
    const t0 = performance.now();
    const loss = await run(model, opt);
    const sec = (performance.now() - t0) / 1000;
    console.log(JSON.stringify({ variant: name, samplesPerSecond: Math.round(samples / sec), loss: loss.toFixed(5), tensors: tf.memory().numTensors }));
  }
}
main();
