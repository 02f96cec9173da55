// The sequence preset's training step on the same network and weights: the fused packed GRU the
// preset trains with (src/models/seq2seq/gru-sequence.ts), the same packed GRU composed of tf ops,
// and tfjs-layers' GRU (the preset's own teacher-forced `autoencoder` model under
// optimizer.minimize, padded). Prints ms per batch and samples/s; PROFILE=1 adds kernel times.
//   [ONLY=fused] [PROFILE=1] node --import tsx bench/experiments/sequence-step.ts [words-file] [batches] [backend] [units]
import * as path from 'node:path';
import { openDataset } from '../../src/data/open-dataset';
import { END_INDEX } from '../../src/data/readers/text';
import { buildModel } from '../../src/models/build-model';
import { createOptimizer } from '../../src/models/optimizer';
import { parseModelConfig } from '../../src/models/parse-config';
import { initBackend, type PreferredBackend } from '../../src/trainer/backend';
import { GruRunner, lastRows } from '../../src/models/seq2seq/gru';
import * as tfNs from '@tensorflow/tfjs';

/** The packed GRU composed of plain tf ops (what the fused op replaced), for the A/B. */
function composedRunPacked(this: GruRunner, inputs: tfNs.Tensor2D, sizes: readonly number[], h0: tfNs.Tensor2D) {
  const self = this as unknown as Record<string, tfNs.Tensor2D>;
  const units = this.units;
  const gates = tfNs.split(tfNs.add(tfNs.matMul(inputs, self.inputGates), self.biasGates), sizes as number[], 0);
  const cands = tfNs.split(tfNs.add(tfNs.matMul(inputs, self.inputCandidate), self.biasCandidate), sizes as number[], 0);
  let h = h0;
  const states: tfNs.Tensor2D[] = [];
  sizes.forEach((n, t) => {
    if (n < h.shape[0]) h = tfNs.slice(h, [0, 0], [n, units]);
    const zr = tfNs.sigmoid(tfNs.add(gates[t], tfNs.matMul(h, self.recurrentGates)));
    const [z, r] = tfNs.split(zr, 2, 1);
    const c = tfNs.tanh(tfNs.add(cands[t], tfNs.matMul(tfNs.mul(r, h), self.recurrentCandidate)));
    h = tfNs.add(c, tfNs.mul(z, tfNs.sub(h, c))) as tfNs.Tensor2D;
    states.push(h);
  });
  const all = tfNs.concat(states, 0) as tfNs.Tensor2D;
  return { states: all, last: () => tfNs.gather(all, tfNs.tensor1d(lastRows(sizes), 'int32')) as tfNs.Tensor2D };
}

async function main(): Promise<void> {
  const file = process.argv[2] ?? path.join(__dirname, '../../samples/words/words.txt');
  const batches = Number(process.argv[3] ?? 20);
  const { tf, name } = await initBackend((process.argv[4] ?? 'wasm') as PreferredBackend);
  const units = Number(process.argv[5] ?? 256);
  const profile = new Map<string, { ms: number; calls: number }>();
  if (process.env.PROFILE) {
    for (const kernel of tf.getKernelsForBackend(name)) {
      const inner = kernel.kernelFunc;
      tf.unregisterKernel(kernel.kernelName, name);
      tf.registerKernel({ ...kernel, kernelFunc: (args) => {
        const t0 = performance.now();
        const out = inner(args);
        const key = /MatMul|Unpack|Identity|Sum|Gather|Transpose/.test(kernel.kernelName)
          ? `${kernel.kernelName} ${Object.values(args.inputs as Record<string, { shape: number[] }>).map((t) => `[${t.shape}]`).join('')}${(args.attrs as { transposeA?: boolean } | undefined)?.transposeA ? ' tA' : ''}${(args.attrs as { transposeB?: boolean } | undefined)?.transposeB ? ' tB' : ''}`
          : kernel.kernelName;
        const entry = profile.get(key) ?? { ms: 0, calls: 0 };
        entry.ms += performance.now() - t0;
        entry.calls++;
        profile.set(key, entry);
        return out;
      } });
    }
  }
  const dataset = await openDataset({ path: file });
  const config = parseModelConfig({ preset: 'sequence', rnnUnits: units }, { kind: dataset.kind, inputShape: [...dataset.inputShape] });
  const built = buildModel(config, dataset.inputShape, dataset.kind, dataset.vocabulary!.length);
  const [maxLength] = dataset.inputShape;
  const batchSize = Number(process.env.BATCH ?? 128);
  const buffer = new Float32Array(batchSize * maxLength);
  const batchAt = (b: number) => {
    const indices = Int32Array.from({ length: batchSize }, (_, i) => (b * batchSize + i * 7919) % dataset.count);
    dataset.fillBatch(indices, buffer);
    return tf.tensor2d(buffer, [batchSize, maxLength]);
  };
  const time = (label: string, lossOf: (x: import('@tensorflow/tfjs').Tensor) => import('@tensorflow/tfjs').Scalar) => {
    const optimizer = createOptimizer(config);
    let total = 0;
    let cpuMicros = 0;
    let last = 0;
    for (let b = 0; b < batches + 2; b++) {
      const x = batchAt(b);
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      const loss = optimizer.minimize(() => lossOf(x), true, built.trainableVariables)!;
      last = loss.dataSync()[0];
      const cpu = process.cpuUsage(cpu0);
      if (b >= 2) {
        total += performance.now() - t0;
        cpuMicros += cpu.user + cpu.system;
      }
      tf.dispose([loss, x]);
    }
    optimizer.dispose();
    const ms = total / batches;
    if (process.env.PROFILE) {
      const byKernel = new Map<string, number>();
      for (const [key, entry] of profile) byKernel.set(key.split(' ')[0], (byKernel.get(key.split(' ')[0]) ?? 0) + entry.ms);
      const total = [...byKernel.values()].reduce((a, b) => a + b, 0);
      console.log(`  kernels ${(total / (batches + 2)).toFixed(1)} ms/batch: ${[...byKernel].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, v]) => `${k} ${(v / (batches + 2)).toFixed(1)}`).join(', ')}`);
      const rows = [...profile].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25);
      for (const [kernel, { ms: kms, calls }] of rows) console.log(`  ${kernel.padEnd(24)} ${(kms / (batches + 2)).toFixed(1)} ms/batch  ${(calls / (batches + 2)).toFixed(0)} calls/batch`);
      profile.clear();
    }
    // CPU time as well: what a batch costs whatever else runs on the machine.
    const cpuMs = cpuMicros / 1000 / batches;
    console.log(`${label}: ${ms.toFixed(1)} ms/batch (CPU ${cpuMs.toFixed(1)} ms), ${((batchSize * 1000) / ms).toFixed(0)} samples/s (loss ${last.toFixed(3)}, ${tf.memory().numTensors} tensors)`);
  };
  console.log(`${name}, ${dataset.count} lines, maxLength ${maxLength}, vocabulary ${dataset.vocabulary!.length}, units ${units}, batch ${batchSize}`);
  const fused = GruRunner.prototype.runPacked;
  // ONLY=fused times the preset's path alone (profiling), without the A/B and the tfjs-layers model.
  const only = process.env.ONLY === 'fused';
  for (let round = 0; round < (only ? 1 : 2); round++) {
    GruRunner.prototype.runPacked = fused;
    time('fused packed GRU (the preset)', (x) => built.loss(x, true));
    if (only) return;
    GruRunner.prototype.runPacked = composedRunPacked as typeof fused;
    time('packed GRU composed of tf ops', (x) => built.loss(x, true));
  }
  GruRunner.prototype.runPacked = fused;
  time('tf.layers.gru (teacher forced)', (x) => {
    // Previous characters: the end mark as "start", then the line shifted by one.
    const previous = tf.concat([tf.fill([x.shape[0], 1], END_INDEX), tf.slice(x, [0, 0], [x.shape[0], maxLength - 1])], 1);
    const probabilities = built.autoencoder.apply([x, previous], { training: true }) as import('@tensorflow/tfjs').Tensor;
    const targets = tf.oneHot(tf.cast(x, 'int32'), dataset.vocabulary!.length);
    const mask = tf.cast(tf.notEqual(x, 0), 'float32');
    const losses = tf.neg(tf.sum(tf.mul(targets, tf.log(tf.clipByValue(probabilities, 1e-7, 1))), -1));
    return tf.div(tf.sum(tf.mul(losses, mask)), tf.sum(mask)) as import('@tensorflow/tfjs').Scalar;
  });
}

void main();
