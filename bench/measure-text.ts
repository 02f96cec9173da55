/**
 * Our side of the text figures of `npm run bench`: the sequence preset (its defaults, or a --config
 * JSON on top) trained for a fixed time on the seeded training split with the trainer's own model,
 * loss, optimizer, learning-rate schedule (over the time budget) and epoch shuffle, then scored by greedy decoding of every held-out line (the same
 * lines the PyTorch peer is scored on: the split is written to --split-out for it).
 *   node --import tsx bench/measure-text.ts --lines FILE --seconds 120 [--config '{"rnnUnits":128}'] [--split-out FILE]
 * `"threads": 2` in --config trains data-parallel as the trainer does (src/trainer/parallel/, the built
 * dist/gradient-worker.js: run `npm run build` first).
 * Prints `BENCH_RESULT {...}`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openDataset } from '../src/data/open-dataset';
import { mulberry32, shuffleInPlace } from '../src/data/random';
import { splitIndices } from '../src/data/split';
import { buildModel } from '../src/models/build-model';
import { createOptimizer } from '../src/models/optimizer';
import { parseModelConfig } from '../src/models/parse-config';
import { initBackend } from '../src/trainer/backend';
import { applyLearningRateSchedule } from '../src/trainer/loop/learning-rate-schedule';
import { DataParallelStep } from '../src/trainer/parallel/data-parallel-step';
import { reconstructIndices, scoreReconstructions } from '../src/trainer/text-metrics';
import { epochSeed } from '../src/trainer/train-loop';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      lines: { type: 'string' },
      seconds: { type: 'string', default: '120' },
      config: { type: 'string', default: '{}' },
      'split-out': { type: 'string' },
      backend: { type: 'string', default: 'wasm' },
    },
  });
  if (!values.lines) throw new Error('--lines FILE is required');
  const { tf, name } = await initBackend(values.backend as 'wasm');
  const dataset = await openDataset({ path: values.lines });
  const config = parseModelConfig({ preset: 'sequence', ...JSON.parse(values.config!) }, { kind: 'text', inputShape: [...dataset.inputShape] });
  const split = splitIndices(dataset.count, config.validationSplit, config.seed);
  if (values['split-out']) writeFileSync(values['split-out'], JSON.stringify({ train: Array.from(split.train), validation: Array.from(split.validation) }));
  const built = buildModel(config, dataset.inputShape, dataset.kind, dataset.vocabulary!.length);
  const optimizer = createOptimizer(config);
  const [maxLength] = dataset.inputShape;
  const parallel =
    config.threads === 2
      ? await DataParallelStep.start({ tf, model: built, optimizer, backend: name, vocabularySize: dataset.vocabulary!.length, workerScript: join(__dirname, '..', 'dist', 'gradient-worker.js') })
      : undefined;
  const buffer = new Float32Array(config.batchSize * maxLength);
  const limitMs = Number(values.seconds) * 1000;
  let trainMs = 0;
  let samples = 0;
  let loss = NaN;
  for (let epoch = 0; trainMs < limitMs; epoch++) {
    const order = shuffleInPlace(Int32Array.from(split.train), mulberry32(epochSeed(config.seed, epoch)));
    for (let start = 0; start < order.length && trainMs < limitMs; start += config.batchSize) {
      const indices = order.subarray(start, Math.min(start + config.batchSize, order.length));
      // The trainer's schedule over this run's budget: its time.
      applyLearningRateSchedule(
        optimizer,
        { rate: config.learningRate, schedule: config.learningRateSchedule },
        { epochs: samples / split.train.length, epochLimit: 0, seconds: trainMs / 1000, maxSeconds: limitMs / 1000 },
      );
      const t0 = performance.now();
      dataset.fillBatch(indices, buffer);
      if (parallel) {
        loss = await parallel.run(buffer.subarray(0, indices.length * maxLength), indices.length);
      } else {
        const x = tf.tensor2d(buffer.subarray(0, indices.length * maxLength), [indices.length, maxLength]);
        // The trainer's own step: one optimizer update of the model's variables.
        const value = optimizer.minimize(() => built.loss(x, true), true, built.trainableVariables)!;
        loss = value.dataSync()[0];
        tf.dispose([value, x]);
      }
      trainMs += performance.now() - t0;
      samples += indices.length;
    }
  }
  await parallel?.dispose();
  const evalStarted = performance.now();
  const decoded = reconstructIndices(tf, built.text!, dataset, split.validation);
  const metrics = scoreReconstructions(dataset, split.validation, decoded, maxLength);
  const result = {
    backend: name,
    lines: dataset.count,
    heldOut: split.validation.length,
    vocabulary: dataset.vocabulary!.length,
    config: { rnnUnits: config.rnnUnits, codeSize: config.codeSize, embeddingSize: config.embeddingSize, charDropout: config.charDropout, learningRate: config.learningRate, learningRateSchedule: config.learningRateSchedule, batchSize: config.batchSize, threads: config.threads },
    samples,
    seconds: trainMs / 1000,
    samples_per_second: samples / (trainMs / 1000),
    epochs: samples / split.train.length,
    final_loss: loss,
    ...metrics,
    eval_seconds: (performance.now() - evalStarted) / 1000,
  };
  console.log(`BENCH_RESULT ${JSON.stringify(result)}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exitCode = 1;
});
