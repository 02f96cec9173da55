// Where a data-parallel step of the sequence preset spends its time: the whole step, the main thread's
// half, and the wait for the worker's half, against one thread's step on the same batches.
//   node --import tsx bench/experiments/sequence-parallel.ts [lines-file] [batches] [config-json]
// (needs dist/gradient-worker.js: npm run build)
import { join } from 'node:path';
import * as tfNs from '@tensorflow/tfjs';
import { openDataset } from '../../src/data/open-dataset';
import { buildModel } from '../../src/models/build-model';
import { createOptimizer } from '../../src/models/optimizer';
import { parseModelConfig } from '../../src/models/parse-config';
import { initBackend } from '../../src/trainer/backend';
import { DataParallelStep } from '../../src/trainer/parallel/data-parallel-step';

async function main(): Promise<void> {
  const file = process.argv[2] ?? join(__dirname, '../../samples/poetry/tang.txt');
  const batches = Number(process.argv[3] ?? 20);
  const { tf, name } = await initBackend('wasm');
  const dataset = await openDataset({ path: file });
  const config = parseModelConfig({ preset: 'sequence', ...JSON.parse(process.argv[4] ?? '{}') }, { kind: dataset.kind, inputShape: [...dataset.inputShape] });
  const [maxLength] = dataset.inputShape;
  const buffer = new Float32Array(config.batchSize * maxLength);
  const fill = (b: number) => {
    const indices = Int32Array.from({ length: config.batchSize }, (_, i) => (b * config.batchSize + i * 7919) % dataset.count);
    dataset.fillBatch(indices, buffer);
  };
  for (const threads of [1, 2, 1, 2]) {
    const built = buildModel(config, dataset.inputShape, dataset.kind, dataset.vocabulary!.length);
    const optimizer = createOptimizer(config);
    const parallel = threads === 2 ? await DataParallelStep.start({ tf, model: built, optimizer, backend: name, vocabularySize: dataset.vocabulary!.length, workerScript: join(__dirname, '../../dist/gradient-worker.js') }) : undefined;
    let total = 0;
    const cpu0 = process.cpuUsage();
    for (let b = 0; b < batches + 2; b++) {
      fill(b);
      const t0 = performance.now();
      if (parallel) await parallel.run(buffer, config.batchSize);
      else {
        const x = tf.tensor2d(buffer, [config.batchSize, maxLength]);
        const loss = optimizer.minimize(() => built.loss(x, true), true, built.trainableVariables)!;
        loss.dataSync();
        tf.dispose([loss, x]);
      }
      if (b >= 2) total += performance.now() - t0;
    }
    const cpu = process.cpuUsage(cpu0);
    const timing = parallel?.timing;
    console.log(`${name} threads ${threads}: ${(total / batches).toFixed(1)} ms/batch, ${((config.batchSize * batches * 1000) / total).toFixed(0)} samples/s, process CPU ${((cpu.user + cpu.system) / 1000 / (batches + 2)).toFixed(0)} ms/batch${timing ? `, ${JSON.stringify(timing)}` : ''}`);
    await parallel?.dispose();
    optimizer.dispose();
    built.dispose();
  }
  void tfNs;
}

void main();
