// Held-out exact match of the sequence preset after a fixed training time, for choosing its defaults:
// trains on the seeded training split for SECONDS, then greedy-decodes up to 2,000 held-out lines.
//   node --import tsx bench/experiments/sequence-quality.ts FILE SECONDS '{"rnnUnits":128}'
import { openDataset } from '../../src/data/open-dataset';
import { mulberry32, shuffleInPlace } from '../../src/data/random';
import { splitIndices } from '../../src/data/split';
import { buildModel } from '../../src/models/build-model';
import { createOptimizer } from '../../src/models/optimizer';
import { parseModelConfig } from '../../src/models/parse-config';
import { initBackend } from '../../src/trainer/backend';
import { textMetrics } from '../../src/trainer/text-metrics';

async function main(): Promise<void> {
  const [file, secondsText, configText] = process.argv.slice(2);
  const seconds = Number(secondsText ?? 60);
  const { tf } = await initBackend('wasm');
  const dataset = await openDataset({ path: file });
  const config = parseModelConfig({ preset: 'sequence', ...JSON.parse(configText ?? '{}') }, { kind: 'text', inputShape: [...dataset.inputShape] });
  const built = buildModel(config, dataset.inputShape, dataset.kind, dataset.vocabulary!.length);
  const optimizer = createOptimizer(config);
  const split = splitIndices(dataset.count, config.validationSplit, config.seed);
  const [maxLength] = dataset.inputShape;
  const buffer = new Float32Array(config.batchSize * maxLength);
  const started = performance.now();
  let samples = 0;
  let loss = NaN;
  for (let epoch = 0; performance.now() - started < seconds * 1000; epoch++) {
    const order = shuffleInPlace(Int32Array.from(split.train), mulberry32(epoch + 1));
    for (let b = 0; b * config.batchSize < order.length && performance.now() - started < seconds * 1000; b++) {
      const indices = order.subarray(b * config.batchSize, (b + 1) * config.batchSize);
      dataset.fillBatch(indices, buffer);
      const x = tf.tensor2d(buffer.subarray(0, indices.length * maxLength), [indices.length, maxLength]);
      const value = optimizer.minimize(() => built.loss(x, true), true, built.trainableVariables)!;
      loss = value.dataSync()[0];
      tf.dispose([value, x]);
      samples += indices.length;
    }
  }
  const trainSeconds = (performance.now() - started) / 1000;
  const metrics = textMetrics(tf, built, dataset, split.validation.subarray(0, 2000), 256);
  console.log(JSON.stringify({ config: configText, samples, samplesPerSecond: Math.round(samples / trainSeconds), loss, ...metrics, evalSeconds: (performance.now() - started) / 1000 - trainSeconds }));
}

void main();
