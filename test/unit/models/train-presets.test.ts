import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { TEST_BACKENDS, nativeAtHand, useBackend } from '../test-backends';
import { registerCpuKernelFixes } from '../../../src/trainer/wasm-kernels/register-wasm-training-kernels';
import { buildModel } from '../../../src/models/build-model';
import { createOptimizer } from '../../../src/models/optimizer';
import { parseModelConfig, type ModelConfigContext } from '../../../src/models/parse-config';
import { trainStep } from './train-step';
import { syntheticImages, syntheticTable, syntheticText } from './synthetic-data';

interface Case {
  name: string;
  config: object;
  context: ModelConfigContext;
  data: () => tf.Tensor;
}

const image: ModelConfigContext = { kind: 'image', inputShape: [16, 16, 1] };
const cases: Case[] = [
  { name: 'dense', config: { preset: 'dense' }, context: image, data: () => syntheticImages(32, [16, 16, 1]) },
  { name: 'deep (tabular)', config: { preset: 'deep' }, context: { kind: 'tabular', inputShape: [12] }, data: () => syntheticTable(32, 12) },
  { name: 'conv', config: { preset: 'conv' }, context: image, data: () => syntheticImages(32, [16, 16, 1]) },
  {
    name: 'conv transpose, RGB, odd size',
    config: { preset: 'conv', convTranspose: true },
    context: { kind: 'image', inputShape: [10, 9, 3] },
    data: () => syntheticImages(32, [10, 9, 3]),
  },
  { name: 'denoising gaussian', config: { preset: 'denoising' }, context: image, data: () => syntheticImages(32, [16, 16, 1]) },
  { name: 'denoising masking', config: { preset: 'denoising', noise: { kind: 'masking', level: 0.25 } }, context: image, data: () => syntheticImages(32, [16, 16, 1]) },
  { name: 'sparse', config: { preset: 'sparse' }, context: image, data: () => syntheticImages(32, [16, 16, 1]) },
  { name: 'vae', config: { preset: 'vae' }, context: image, data: () => syntheticImages(32, [16, 16, 1]) },
  { name: 'vae (tabular)', config: { preset: 'vae' }, context: { kind: 'tabular', inputShape: [12] }, data: () => syntheticTable(32, 12) },
  { name: 'sequence', config: { preset: 'sequence', rnnUnits: 32, codeSize: 16 }, context: { kind: 'text', inputShape: [6], vocabularySize: 8 }, data: () => syntheticText(32, 6, 8) },
  { name: 'sequence variational', config: { preset: 'sequence', rnnUnits: 32, codeSize: 16, variational: true }, context: { kind: 'text', inputShape: [6], vocabularySize: 8 }, data: () => syntheticText(32, 6, 8) },
  { name: 'dense sgd', config: { preset: 'dense', optimizer: 'sgd', learningRate: 0.5 }, context: image, data: () => syntheticImages(32, [16, 16, 1]) },
  { name: 'dense rmsprop bce', config: { preset: 'dense', optimizer: 'rmsprop', loss: 'bce' }, context: image, data: () => syntheticImages(32, [16, 16, 1]) },
];

/** Trains `steps` steps on one batch with a fresh model and optimizer; returns every step's loss. */
function train(c: Case, steps: number, overrides: object = {}): number[] {
  const config = parseModelConfig({ learningRate: 0.005, ...c.config, ...overrides }, c.context);
  const built = buildModel(config, c.context.inputShape, c.context.kind, c.context.vocabularySize);
  const optimizer = createOptimizer(config);
  const batch = c.data();
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    const loss = trainStep(built, optimizer, batch);
    losses.push(loss.dataSync()[0]);
    loss.dispose();
  }
  batch.dispose();
  optimizer.dispose();
  built.dispose();
  return losses;
}

for (const backend of TEST_BACKENDS) describe(`every preset trains on the ${backend} backend`, () => {
  let tensorsBefore = 0;
  before(async () => {
    await useBackend(backend);
    tensorsBefore = tf.memory().numTensors;
  });

  for (const c of cases) {
    test(`${c.name}: the loss goes down in 20 steps`, () => {
      const losses = train(c, 20);
      assert.ok(losses.every(Number.isFinite), `finite losses: ${losses}`);
      const first = losses[0];
      const last = losses.slice(-3).reduce((a, b) => a + b, 0) / 3;
      // Binary cross-entropy (the conv default) cannot fall below the entropy of the targets (about 0.6
      // on these random images), so it moves less in 20 steps than MSE, whose floor is 0.
      const bce = parseModelConfig(c.config, c.context).loss === 'bce';
      assert.ok(last < first * (bce ? 0.99 : 0.95), `${c.name}: loss ${first.toFixed(4)} -> ${last.toFixed(4)}`);
    });
  }

  test('same seed, same data, same backend: the same losses; another seed: other losses', () => {
    for (const c of [cases[0], cases[2], cases[4], cases[7], cases[9]]) {
      const a = train(c, 5, { seed: 7 });
      const b = train(c, 5, { seed: 7 });
      const other = train(c, 5, { seed: 8 });
      assert.deepEqual(a, b, `${c.name}: identical losses with the same seed`);
      assert.notDeepEqual(a, other, `${c.name}: other losses with another seed`);
    }
  });

  test('the loss at training=false is deterministic and noise-free; perSampleError has one value per sample', () => {
    const c = cases[4]; // denoising
    const config = parseModelConfig(c.config, c.context);
    const built = buildModel(config, c.context.inputShape, c.context.kind, c.context.vocabularySize);
    const batch = c.data();
    const [clean1, clean2, noisy1, noisy2] = tf.tidy(() => [
      built.loss(batch, false).dataSync()[0],
      built.loss(batch, false).dataSync()[0],
      built.loss(batch, true).dataSync()[0],
      built.loss(batch, true).dataSync()[0],
    ]);
    assert.equal(clean1, clean2);
    assert.notEqual(noisy1, noisy2, 'each training call draws fresh noise');
    const errors = tf.tidy(() => built.perSampleError(batch).arraySync());
    assert.equal(errors.length, 32);
    const mean = errors.reduce((a, b) => a + b, 0) / errors.length;
    assert.ok(Math.abs(mean - clean1) < 1e-5, 'the per-sample errors average to the clean loss');
    batch.dispose();
    built.dispose();
  });

  test('training on wasm (with its added and fast-path kernels) gives the losses of the cpu backend', { skip: backend !== 'wasm' }, async () => {
    registerCpuKernelFixes();
    for (const c of [cases[0], cases[2], cases[3], cases[5], cases[7], cases[9]]) {
      await tf.setBackend('cpu');
      const cpu = train(c, 4);
      await tf.setBackend('wasm');
      const wasm = train(c, 4);
      wasm.forEach((loss, i) => assert.ok(Math.abs(loss - cpu[i]) <= 1e-4 * Math.abs(cpu[i]) + 1e-7, `${c.name} step ${i}: wasm ${loss} vs cpu ${cpu[i]}`));
    }
  });

  after(() => {
    assert.equal(tf.memory().numTensors, tensorsBefore, 'training leaves no tensors behind');
  });
});

/** Relative tolerance between tensorflow and wasm: float32 sums in another order, a few Adam steps. */
const CROSS_BACKEND_TOLERANCE = 1e-3;

describe('the same model, seed and data give the same losses on tensorflow and wasm', { skip: !nativeAtHand && 'tfjs-node not at hand' }, () => {
  for (const c of cases) {
    test(`${c.name}: within ${CROSS_BACKEND_TOLERANCE * 100}% over 5 steps`, async () => {
      await useBackend('wasm');
      const wasm = train(c, 5, { seed: 11 });
      await useBackend('tensorflow');
      const native = train(c, 5, { seed: 11 });
      native.forEach((loss, i) =>
        assert.ok(Math.abs(loss - wasm[i]) <= CROSS_BACKEND_TOLERANCE * Math.abs(wasm[i]) + 1e-6, `${c.name} step ${i}: tensorflow ${loss} vs wasm ${wasm[i]}`),
      );
    });
  }
});
