// Where an epoch's time goes, per tfjs kernel: wraps every kernel of the active backend with a timer
// (wasm and cpu kernels run synchronously, so a kernel's wall time is its cost), then trains one
// epoch with the trainer's own loop. Time outside kernels is JS overhead (tfjs engine, layers,
// data, loop).
//   node --import tsx bench/experiments/kernel-times.ts [dense|conv] [samples] [backend]
import { openDataset } from '../../src/data/open-dataset';
import { buildModel } from '../../src/models/build-model';
import { createOptimizer } from '../../src/models/optimizer';
import { parseModelConfig } from '../../src/models/parse-config';
import { initBackend, type PreferredBackend } from '../../src/trainer/backend';
import { TrainControl } from '../../src/trainer/train-control';
import { runTrainingLoop } from '../../src/trainer/train-loop';

/** Milliseconds of this process's CPU time (robust on a busy machine); TIMER=wall for wall time. */
const now = process.env.TIMER === 'wall' ? () => performance.now() : () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

async function main(): Promise<void> {
  const model = process.argv[2] ?? 'dense';
  const samples = Number(process.argv[3] ?? 10000);
  const { tf, name } = await initBackend((process.argv[4] ?? 'wasm') as PreferredBackend);
  const times = new Map<string, { ms: number; calls: number }>();
  let timing = false;
  let depth = 0;
  const shapes = new Map<string, { calls: number; ms: number }>();
  for (const kernel of tf.getKernelsForBackend(name)) {
    const inner = kernel.kernelFunc;
    tf.unregisterKernel(kernel.kernelName, name);
    tf.registerKernel({
      ...kernel,
      kernelFunc: (args) => {
        const t0 = now();
        depth++;
        let out;
        try {
          out = inner(args);
        } finally {
          depth--;
        }
        if (timing && /MatMul|Conv|Pool|Resize/.test(kernel.kernelName)) {
          const inputs = Object.entries(args.inputs as Record<string, { shape: number[] } | undefined>).filter(([, v]) => v).map(([k, v]) => `${k}[${v!.shape}]`).join(' ');
          const attrs = args.attrs as { transposeA?: boolean; transposeB?: boolean };
          const key = `${kernel.kernelName} ${inputs}${attrs.transposeA ? ' tA' : ''}${attrs.transposeB ? ' tB' : ''}${depth ? ' (nested)' : ''}`;
          const entry = shapes.get(key) ?? { calls: 0, ms: 0 };
          entry.calls++;
          entry.ms += now() - t0;
          shapes.set(key, entry);
        }
        if (timing && depth === 0) {
          const entry = times.get(kernel.kernelName) ?? { ms: 0, calls: 0 };
          entry.ms += now() - t0;
          entry.calls++;
          times.set(kernel.kernelName, entry);
        }
        return out;
      },
    });
  }
  const dataset = await openDataset({ path: '../shared/datasets/fashion-mnist/train-images-idx3-ubyte.gz', limit: samples });
  const config = parseModelConfig({ preset: model, epochs: 1, validationSplit: 0 }, { kind: dataset.kind, inputShape: [...dataset.inputShape] });
  const all = Int32Array.from({ length: dataset.count }, (_, i) => i);
  const run = async (indices: Int32Array) => {
    const built = buildModel(config, dataset.inputShape, dataset.kind);
    const optimizer = createOptimizer(config);
    let end = 0;
    const t0 = now();
    await runTrainingLoop({
      tf, dataset, model: built, optimizer, trainIndices: indices, validationIndices: new Int32Array(0),
      batchSize: 128, epochs: 1, seed: 1, control: new TrainControl(), codeSampleCount: 0, previewCount: 0,
      emit: (m) => { if (m.type === 'progress' && m.batch === m.batches) end = now(); },
    });
    built.dispose();
    optimizer.dispose();
    return end - t0;
  };
  await run(all.subarray(0, 384));
  timing = true;
  const total = await run(all);
  const kernelMs = [...times.values()].reduce((s, e) => s + e.ms, 0);
  const batches = Math.ceil(samples / 128);
  console.log(`${name} ${model}: ${samples} samples in ${total.toFixed(0)} ms (${((samples / total) * 1000).toFixed(0)} samples/s); kernels ${kernelMs.toFixed(0)} ms, outside kernels ${(total - kernelMs).toFixed(0)} ms (${((total - kernelMs) / batches).toFixed(2)} ms/batch)`);
  for (const [key, e] of shapes) if (e.calls >= batches / 2) console.log(`${(e.calls / batches).toFixed(1)}/batch ${(e.ms / e.calls).toFixed(2).padStart(7)} ms/call  ${key}`);
  for (const [kernel, e] of [...times].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25)) {
    void 0;
    console.log(`${e.ms.toFixed(0).padStart(6)} ms ${((e.ms / total) * 100).toFixed(1).padStart(5)}%  ${(e.calls / batches).toFixed(1).padStart(5)}/batch  ${(e.ms / e.calls * 1000).toFixed(0).padStart(6)} µs/call  ${kernel}`);
  }
}
main();
process.on('exit', () => {});
