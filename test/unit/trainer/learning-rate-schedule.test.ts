import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type * as tfType from '@tensorflow/tfjs';
import type { Dataset } from '../../../src/data/dataset';
import { openDataset } from '../../../src/data/open-dataset';
import { FusedAdam } from '../../../src/models/fused-adam';
import { setLearningRate } from '../../../src/models/optimizer';
import { parseModelConfig } from '../../../src/models/parse-config';
import { initBackend } from '../../../src/trainer/backend';
import { ANNEAL_FLOOR, ANNEAL_FROM, budgetProgress, scheduledLearningRate } from '../../../src/trainer/loop/learning-rate-schedule';
import { runTrainingLoop } from '../../../src/trainer/train-loop';
import { loopSetup } from './loop-setup';
import { fashionImages, smallDense } from './trainer-helpers';

let tf: typeof tfType;
let images: Dataset;

before(async () => {
  tf = (await initBackend('wasm')).tf;
  images = await openDataset({ path: fashionImages, limit: 256 });
});

describe('learning-rate schedule', () => {
  test('a run is as far through its budget as the further of its epochs and its time', () => {
    assert.equal(budgetProgress({ epochs: 2, epochLimit: 10, seconds: 30, maxSeconds: 600 }), 0.2);
    assert.equal(budgetProgress({ epochs: 2, epochLimit: 1000, seconds: 300, maxSeconds: 600 }), 0.5);
    assert.equal(budgetProgress({ epochs: 0.5, epochLimit: 0, seconds: 0, maxSeconds: 0 }), 0);
    assert.equal(budgetProgress({ epochs: 12, epochLimit: 10, seconds: 0, maxSeconds: 0 }), 1);
  });

  test('anneal holds the rate, then falls linearly to its floor at the end; constant never changes', () => {
    assert.equal(scheduledLearningRate(0.01, 'anneal', 0), 0.01);
    assert.equal(scheduledLearningRate(0.01, 'anneal', ANNEAL_FROM), 0.01);
    assert.ok(Math.abs(scheduledLearningRate(0.01, 'anneal', (ANNEAL_FROM + 1) / 2) - 0.01 * (1 + ANNEAL_FLOOR) / 2) < 1e-12);
    assert.ok(Math.abs(scheduledLearningRate(0.01, 'anneal', 1) - 0.01 * ANNEAL_FLOOR) < 1e-12);
    assert.equal(scheduledLearningRate(0.01, 'constant', 0.99), 0.01);
  });

  test('the sequence preset anneals by default, the image presets keep a constant rate, and a config can choose', () => {
    const text = { kind: 'text' as const, inputShape: [12] };
    const image = { kind: 'image' as const, inputShape: [28, 28, 1] };
    assert.equal(parseModelConfig({ preset: 'sequence' }, text).learningRateSchedule, 'anneal');
    assert.equal(parseModelConfig({ preset: 'dense' }, image).learningRateSchedule, 'constant');
    assert.equal(parseModelConfig({ preset: 'conv', learningRateSchedule: 'anneal' }, image).learningRateSchedule, 'anneal');
    assert.throws(() => parseModelConfig({ preset: 'dense', learningRateSchedule: 'cosine' }, image), /learningRateSchedule/);
  });

  for (const [name, make] of [
    ['Adam (fused)', () => new FusedAdam(0.1)],
    ['SGD', () => tf.train.sgd(0.1)],
    ['RMSProp', () => tf.train.rmsprop(0.1)],
  ] as const) {
    test(`${name}: a new rate set between steps is the rate of the next step`, () => {
      const optimizer = make();
      const w = tf.variable(tf.zeros([4]), true, `w-${name}`);
      const gradient = tf.tensor1d([1, -2, 3, -4]);
      optimizer.applyGradients([{ name: w.name, tensor: gradient }]);
      const first = Math.abs(w.dataSync()[0]);
      // The same optimizer afresh at a tenth of the rate moves the weight a tenth as far on its first step.
      const slower = make();
      setLearningRate(slower, 0.01);
      const u = tf.variable(tf.zeros([4]), true, `u-${name}`);
      slower.applyGradients([{ name: u.name, tensor: gradient }]);
      assert.ok(Math.abs(Math.abs(u.dataSync()[0]) / first - 0.1) < 1e-3, `${u.dataSync()[0]} against ${first}`);
      tf.dispose([w, u, gradient]);
      optimizer.dispose();
      slower.dispose();
    });
  }

  test('the loop anneals the optimizer over a fixed number of epochs and records each epoch’s rate', async () => {
    const { options, events, dispose } = loopSetup(tf, images, { ...smallDense, epochs: 5, learningRate: 0.004, learningRateSchedule: 'anneal' });
    await runTrainingLoop(options);
    const rates = events.flatMap((m) => (m.type === 'epochEnd' ? [m.metrics.learning_rate!] : []));
    assert.equal(rates.length, 5);
    // Epochs 1-3 end within the first 60% of the budget; then the rate falls towards 5% of 0.004.
    assert.deepEqual(rates.slice(0, 3), [0.004, 0.004, 0.004]);
    assert.ok(rates[3] < 0.004 && rates[4] < rates[3], `${rates}`);
    assert.ok(rates[4] < 0.004 * 0.15, `${rates}`);
    dispose();
  });

  test('a constant schedule leaves the optimizer alone and records no rate', async () => {
    const { options, events, dispose } = loopSetup(tf, images, { ...smallDense, epochs: 2 });
    await runTrainingLoop(options);
    const metrics = events.flatMap((m) => (m.type === 'epochEnd' ? [m.metrics] : []));
    assert.ok(metrics.every((m) => m.learning_rate === undefined));
    dispose();
  });
});
