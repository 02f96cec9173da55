// Experiment: tfjs-backend-wasm's Identity kernel copies its input (28 copies per dense step, up to
// 100k floats each: ~5% of a dense epoch's CPU profile), where the cpu backend, and wasm's own
// Reshape, share the data and count a reference. Trains the dense (and conv) preset with the
// registered Identity and with a sharing one, alternating, in separate processes; compares CPU
// time and the per-epoch loss (which must be identical: no kernel writes into its inputs).
//   node --import tsx bench/experiments/identity-by-reference.ts [model] [samples] [rounds]
//   (child mode) ... --child copy|share
import { spawnSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs';
import { openDataset } from '../../src/data/open-dataset';
import { buildModel } from '../../src/models/build-model';
import { createOptimizer } from '../../src/models/optimizer';
import { parseModelConfig } from '../../src/models/parse-config';
import { initBackend } from '../../src/trainer/backend';
import { TrainControl } from '../../src/trainer/train-control';
import { maxPoolGrad2x2 } from './conv-grad-kernels';
import { runTrainingLoop } from '../../src/trainer/train-loop';

/** Identity for the wasm backend that shares x's data (a reference count) instead of copying it. */
export function identityByReference(backendName = 'wasm'): tf.KernelConfig {
  return {
    kernelName: tf.Identity,
    backendName,
    kernelFunc: ({ inputs, backend }) => {
      const x = inputs.x as tf.TensorInfo;
      (backend as unknown as { incRef(dataId: object): void }).incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    },
  };
}

async function child(mode: string, model: string, samples: number): Promise<void> {
  await initBackend('wasm');
  if (mode === 'share') {
    tf.unregisterKernel(tf.Identity, 'wasm');
    tf.registerKernel(identityByReference());
  }
  if (mode === 'maxpool-loop') {
    const original = tf.getKernel(tf.MaxPoolGrad, 'wasm')!;
    tf.unregisterKernel(tf.MaxPoolGrad, 'wasm');
    tf.registerKernel({
      ...original,
      kernelFunc: (args) => {
        const { filterSize, strides, pad } = args.attrs as unknown as tf.MaxPoolGradAttrs;
        const { dy, input } = args.inputs as unknown as { dy: tf.TensorInfo; input: tf.TensorInfo };
        const two = (v: number | [number, number]) => (typeof v === 'number' ? v === 2 : v[0] === 2 && v[1] === 2);
        if (two(filterSize) && two(strides) && pad === 'valid' && input.shape[1] % 2 === 0 && input.shape[2] % 2 === 0) {
          return maxPoolGrad2x2(args.backend as never, dy, input);
        }
        return original.kernelFunc(args);
      },
    });
  }
  const dataset = await openDataset({ path: '../shared/datasets/fashion-mnist/train-images-idx3-ubyte.gz', limit: samples });
  const config = parseModelConfig({ preset: model, epochs: 1, validationSplit: 0 }, { kind: dataset.kind, inputShape: [...dataset.inputShape] });
  const all = Int32Array.from({ length: dataset.count }, (_, i) => i);
  const run = async (indices: Int32Array) => {
    const built = buildModel(config, dataset.inputShape, dataset.kind);
    const optimizer = createOptimizer(config);
    let loss = NaN;
    const c0 = process.cpuUsage();
    await runTrainingLoop({
      tf, dataset, model: built, optimizer, trainIndices: indices, validationIndices: new Int32Array(0),
      batchSize: 128, epochs: 1, seed: 1, control: new TrainControl(), codeSampleCount: 0, previewCount: 0,
      emit: (m) => { if (m.type === 'epochEnd') loss = m.metrics.loss; },
    });
    const c = process.cpuUsage(c0);
    built.dispose();
    optimizer.dispose();
    const heapMb = (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length / 1048576;
    return { cpu: (c.user + c.system) / 1e6, loss, tensors: tf.memory().numTensors, heapMb };
  };
  await run(all.subarray(0, 384));
  console.log(JSON.stringify(await run(all)));
}

function main(): void {
  const childIndex = process.argv.indexOf('--child');
  const [model = 'dense', samples = '10000', rounds = '3'] = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && all[i - 1] !== '--child');
  if (childIndex > 0) {
    void child(process.argv[childIndex + 1], model, Number(samples));
    return;
  }
  const modes = process.env.MODES?.split(',') ?? ['copy', 'share'];
  const results: Record<string, { cpu: number; loss: number; heapMb: number }[]> = Object.fromEntries(modes.map((m) => [m, []]));
  for (let r = 0; r < Number(rounds); r++) {
    for (const mode of modes) {
      const out = spawnSync(process.execPath, ['--import', 'tsx', __filename, model, samples, '--child', mode], { encoding: 'utf8' });
      const line = out.stdout.trim().split('\n').at(-1)!;
      results[mode].push(JSON.parse(line));
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  for (const mode of modes) {
    console.log(`${model} ${samples}: ${mode}: CPU ${median(results[mode].map((r) => r.cpu)).toFixed(3)} s [${results[mode].map((r) => r.cpu.toFixed(2))}], loss ${results[mode][0].loss}, wasm memory ${results[mode][0].heapMb} MB`);
  }
}
main();
