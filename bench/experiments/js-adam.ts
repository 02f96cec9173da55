// Experiment: tfjs's Adam runs ~12 small kernels per variable per step (plus the engine's
// bookkeeping for each); this applies the same update in one JS loop per variable over copies of
// the weights and gradients. Compares epoch time and losses with tf.train.adam on the dense preset,
// interleaved in one process.
//   node --import tsx bench/experiments/js-adam.ts [samples] [repeats]
import type * as tfType from '@tensorflow/tfjs';
import { openDataset } from '../../src/data/open-dataset';
import { buildModel } from '../../src/models/build-model';
import { createOptimizer } from '../../src/models/optimizer';
import { parseModelConfig } from '../../src/models/parse-config';
import { initBackend } from '../../src/trainer/backend';
import type { BuiltModel } from '../../src/models/built-model';

/** Adam exactly as tfjs computes it (epsilon 1e-7 outside the square root, bias-corrected moments). */
export class JsAdam {
  private readonly m: Float32Array[];
  private readonly v: Float32Array[];
  private step = 0;
  constructor(
    private readonly tf: typeof tfType,
    private readonly variables: tfType.Variable[],
    private readonly learningRate = 1e-3,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly epsilon = 1e-7,
  ) {
    this.m = variables.map((v) => new Float32Array(v.size));
    this.v = variables.map((v) => new Float32Array(v.size));
  }

  /** One step; returns the loss tensor (caller disposes). */
  minimize(loss: () => tfType.Scalar): tfType.Scalar {
    const { tf } = this;
    const { value, grads } = tf.variableGrads(loss, this.variables);
    this.step++;
    const c1 = 1 - this.beta1 ** this.step;
    const c2 = 1 - this.beta2 ** this.step;
    this.variables.forEach((variable, k) => {
      const g = grads[variable.name].dataSync() as Float32Array;
      const w = variable.dataSync() as Float32Array; // a copy on wasm and cpu
      const m = this.m[k];
      const v = this.v[k];
      const { beta1, beta2, epsilon, learningRate } = this;
      for (let i = 0; i < w.length; i++) {
        const gi = g[i];
        m[i] = beta1 * m[i] + (1 - beta1) * gi;
        v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
        w[i] -= (learningRate * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + epsilon);
      }
      variable.assign(tf.tensor(w, variable.shape));
    });
    tf.dispose(grads);
    return value;
  }
}

async function main(): Promise<void> {
  const samples = Number(process.argv[2] ?? 10000);
  const repeats = Number(process.argv[3] ?? 3);
  const { tf } = await initBackend('wasm');
  const dataset = await openDataset({ path: '../shared/datasets/fashion-mnist/train-images-idx3-ubyte.gz', limit: samples });
  const config = parseModelConfig({ preset: 'dense', epochs: 1, validationSplit: 0 }, { kind: dataset.kind, inputShape: [...dataset.inputShape] });
  const batch = new Float32Array(128 * 784);
  const epoch = (step: (built: BuiltModel, x: tfType.Tensor) => tfType.Scalar, built: BuiltModel) => {
    const losses: number[] = [];
    // CPU time, not wall time: other processes on the machine only move the latter.
    const c0 = process.cpuUsage();
    for (let start = 0; start < samples; start += 128) {
      const indices = Int32Array.from({ length: Math.min(128, samples - start) }, (_, i) => start + i);
      const loss = tf.tidy(() => {
        dataset.fillBatch(indices, batch);
        const x = tf.tensor(batch.subarray(0, indices.length * 784), [indices.length, 28, 28, 1]);
        return step(built, x);
      });
      losses.push(loss.dataSync()[0]);
      loss.dispose();
    }
    const c = process.cpuUsage(c0);
    return { ms: (c.user + c.system) / 1000, losses };
  };
  const results: Record<string, number[]> = { tfAdam: [], jsAdam: [] };
  let lossesA: number[] = [];
  let lossesB: number[] = [];
  for (let r = 0; r < repeats; r++) {
    {
      const built = buildModel(config, dataset.inputShape, dataset.kind);
      const optimizer = createOptimizer(config);
      const run = epoch((b, x) => optimizer.minimize(() => b.loss(x, true), true, b.trainableVariables) as tfType.Scalar, built);
      results.tfAdam.push(run.ms);
      lossesA = run.losses;
      optimizer.dispose();
      built.dispose();
    }
    {
      const built = buildModel(config, dataset.inputShape, dataset.kind);
      const optimizer = new JsAdam(tf, built.trainableVariables);
      const run = epoch((b, x) => optimizer.minimize(() => b.loss(x, true)), built);
      results.jsAdam.push(run.ms);
      lossesB = run.losses;
      built.dispose();
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const maxRel = Math.max(...lossesA.map((a, i) => Math.abs(a - lossesB[i]) / a));
  console.log(`dense, ${samples} samples: tf.train.adam CPU ${median(results.tfAdam).toFixed(0)} ms [${results.tfAdam.map((x) => x.toFixed(0))}], JS Adam CPU ${median(results.jsAdam).toFixed(0)} ms [${results.jsAdam.map((x) => x.toFixed(0))}]`);
  console.log(`per-batch losses: max relative difference ${maxRel.toExponential(2)}; last ${lossesA.at(-1)} vs ${lossesB.at(-1)}`);
}
main();
