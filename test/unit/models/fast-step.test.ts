import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { TEST_BACKENDS, useBackend } from '../test-backends';
import { assembleReconstruction } from '../../../src/models/assemble-reconstruction';
import { buildModel } from '../../../src/models/build-model';
import type { BuiltModel } from '../../../src/models/built-model';
import type { ModelConfig } from '../../../src/models/config';
import { FusedAdam } from '../../../src/models/fused-adam';
import { perSampleReconstructionLoss } from '../../../src/models/losses';
import { createOptimizer } from '../../../src/models/optimizer';
import { parseModelConfig, type ModelConfigContext } from '../../../src/models/parse-config';
import { denseDecoder, denseEncoder } from '../../../src/models/presets/dense-stack';
import { SeedSequence } from '../../../src/models/seeds';
import { syntheticImages, syntheticTable } from './synthetic-data';
import { trainStep } from './train-step';
import { denseTrainingStep } from '../../../src/trainer/fast-step/dense-step';

// The fast training step (dense presets' direct forward pass + FusedAdam) against the plain one
// (tfjs-layers' apply + tf.train.adam): the same maths, so the same losses up to float rounding.

const image: ModelConfigContext = { kind: 'image', inputShape: [16, 16, 1] };
const table: ModelConfigContext = { kind: 'tabular', inputShape: [12] };
const data = (context: ModelConfigContext) => (context.kind === 'image' ? syntheticImages(32, context.inputShape) : syntheticTable(32, context.inputShape[0]));

/** The dense autoencoder as it was built before the direct forward pass: layers' apply throughout. */
function plainDense(config: ModelConfig, context: ModelConfigContext): BuiltModel {
  const seeds = new SeedSequence(config.seed);
  const encoder = denseEncoder(config, context.inputShape, seeds);
  const decoder = denseDecoder(config, context.inputShape, seeds);
  return assembleReconstruction({ config, kind: context.kind, inputShape: context.inputShape, encoder, decoder, loss: config.loss });
}

function weightsOf(built: BuiltModel): Float32Array[] {
  return built.trainableVariables.map((variable) => variable.dataSync() as Float32Array);
}

function maxRelativeDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / (1e-3 + Math.abs(b[i])));
  return worst;
}

/** `steps` steps on one batch; every step's loss and the final weights. */
function train(built: BuiltModel, optimizer: tf.Optimizer, batch: tf.Tensor, steps: number): { losses: number[]; weights: Float32Array[] } {
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    const loss = trainStep(built, optimizer, batch);
    losses.push(loss.dataSync()[0]);
    loss.dispose();
  }
  return { losses, weights: weightsOf(built) };
}

for (const backend of TEST_BACKENDS) {
  describe(`the fast training step equals the plain one on the ${backend} backend`, () => {
    let tensorsBefore = 0;
    before(async () => {
      await useBackend(backend);
      tensorsBefore = tf.memory().numTensors;
    });
    after(() => assert.equal(tf.memory().numTensors, tensorsBefore, 'no tensors leaked'));

    for (const [name, config, context] of [
      ['dense (image, relu / sigmoid)', { preset: 'dense' }, image],
      ['deep (tabular, tanh / linear)', { preset: 'deep', activation: 'tanh' }, table],
      ['dense (image, elu, bce)', { preset: 'dense', activation: 'elu', loss: 'bce' }, image],
    ] as const) {
      test(`${name}: 25 steps of direct forward + FusedAdam give the losses and weights of layers + tf.train.adam`, () => {
        const parsed = parseModelConfig({ learningRate: 0.005, ...config }, context);
        const batch = data(context);
        const fast = buildModel(parsed, context.inputShape, context.kind);
        const plain = plainDense(parsed, context);
        assert.deepEqual(weightsOf(fast), weightsOf(plain), 'the same seeded initial weights');
        const fastOptimizer = createOptimizer(parsed);
        assert.ok(fastOptimizer instanceof FusedAdam);
        const plainOptimizer = tf.train.adam(parsed.learningRate);
        const a = train(fast, fastOptimizer, batch, 25);
        const b = train(plain, plainOptimizer, batch, 25);
        assert.ok(a.losses[24] < a.losses[0] * 0.9, `it learns: ${a.losses[0]} -> ${a.losses[24]}`);
        assert.ok(maxRelativeDifference(a.losses, b.losses) < 1e-4, `losses ${a.losses.slice(-3)} vs ${b.losses.slice(-3)}`);
        a.weights.forEach((w, i) => assert.ok(maxRelativeDifference(w, b.weights[i]) < 1e-2, `weights ${i}: ${maxRelativeDifference(w, b.weights[i])}`));
        tf.dispose([batch]);
        [fastOptimizer, plainOptimizer, fast, plain].forEach((x) => x.dispose());
      });
    }

    for (const [name, config, context] of [
      ['dense (image, relu / sigmoid)', { preset: 'dense' }, image],
      ['deep (tabular, relu / linear)', { preset: 'deep', learningRate: 0.001 }, table],
    ] as const) {
      test(`${name}: 25 steps of the written-out backward pass give the losses and weights of optimizer.minimize`, () => {
        const parsed = parseModelConfig({ learningRate: 0.005, ...config }, context);
        const batch = data(context);
        const inputs = batch.dataSync() as Float32Array;
        const fast = buildModel(parsed, context.inputShape, context.kind);
        const plain = plainDense(parsed, context);
        const fastOptimizer = createOptimizer(parsed);
        const plainOptimizer = tf.train.adam(parsed.learningRate);
        const step = denseTrainingStep(tf, fast, fastOptimizer);
        assert.ok(step, 'the preset is served by the fast step');
        const losses = Array.from({ length: 25 }, () => step(inputs, batch.shape[0]));
        const b = train(plain, plainOptimizer, batch, 25);
        assert.ok(losses[24] < losses[0] * 0.9, `it learns: ${losses[0]} -> ${losses[24]}`);
        assert.ok(maxRelativeDifference(losses, b.losses) < 1e-4, `losses ${losses.slice(-3)} vs ${b.losses.slice(-3)}`);
        weightsOf(fast).forEach((w, i) => assert.ok(maxRelativeDifference(w, b.weights[i]) < 1e-2, `weights ${i}: ${maxRelativeDifference(w, b.weights[i])}`));
        tf.dispose([batch]);
        [fastOptimizer, plainOptimizer, fast, plain].forEach((x) => x.dispose());
      });
    }

    test('the fast step declines what it does not compute (other presets, losses, activations): the loop then minimizes', () => {
      for (const config of [{ preset: 'conv' }, { preset: 'sparse' }, { preset: 'denoising' }, { preset: 'dense', loss: 'bce' }, { preset: 'dense', activation: 'tanh' }]) {
        const parsed = parseModelConfig(config, image);
        const built = buildModel(parsed, image.inputShape, image.kind);
        const optimizer = createOptimizer(parsed);
        assert.equal(denseTrainingStep(tf, built, optimizer), undefined, JSON.stringify(config));
        optimizer.dispose();
        built.dispose();
      }
    });

    for (const preset of ['dense', 'deep', 'sparse', 'denoising'] as const) {
      test(`${preset}: the direct forward pass reconstructs as the layers do`, () => {
        const parsed = parseModelConfig({ preset }, image);
        const built = buildModel(parsed, image.inputShape, image.kind);
        const batch = data(image);
        const [direct, layers] = tf.tidy(() => [
          built.perSampleError(batch).dataSync(),
          perSampleReconstructionLoss(built.autoencoder.apply(batch) as tf.Tensor, batch, parsed.loss).dataSync(),
        ]);
        assert.ok(maxRelativeDifference(direct, layers) < 1e-5, `per-sample errors differ by ${maxRelativeDifference(direct, layers)}`);
        batch.dispose();
        built.dispose();
      });
    }

    test('conv: FusedAdam trains the layers path as tf.train.adam does', () => {
      const parsed = parseModelConfig({ preset: 'conv', learningRate: 0.005 }, image);
      const batch = data(image);
      const a = buildModel(parsed, image.inputShape, image.kind);
      const b = buildModel(parsed, image.inputShape, image.kind);
      const fused = new FusedAdam(parsed.learningRate);
      const plain = tf.train.adam(parsed.learningRate);
      const x = train(a, fused, batch, 10);
      const y = train(b, plain, batch, 10);
      assert.ok(maxRelativeDifference(x.losses, y.losses) < 1e-4, `losses ${x.losses.slice(-3)} vs ${y.losses.slice(-3)}`);
      batch.dispose();
      [fused, plain, a, b].forEach((item) => item.dispose());
    });

    test("FusedAdam's state is tf.train.adam's: a checkpoint of one resumes in the other and continues identically", async () => {
      const parsed = parseModelConfig({ preset: 'dense', learningRate: 0.005 }, image);
      const batch = data(image);
      const a = buildModel(parsed, image.inputShape, image.kind);
      const fused = new FusedAdam(parsed.learningRate);
      train(a, fused, batch, 5);
      const saved = await fused.getWeights();
      const reference = tf.train.adam(0.1);
      assert.equal(fused.getClassName(), reference.getClassName());
      reference.dispose();
      assert.deepEqual(
        saved.map((w) => w.name),
        ['iter', ...a.trainableVariables.map((v) => `${v.name}/m`), ...a.trainableVariables.map((v) => `${v.name}/v`)],
      );
      const copies = saved.map(({ name, tensor }) => ({ name, tensor: tf.clone(tensor) }));
      const weights = a.trainableVariables.map((v) => tf.clone(v));
      const b = buildModel(parsed, image.inputShape, image.kind);
      b.trainableVariables.forEach((v, i) => v.assign(weights[i]));
      const plain = tf.train.adam(parsed.learningRate);
      await plain.setWeights(copies);
      const x = train(a, fused, batch, 5);
      const y = train(b, plain, batch, 5);
      assert.ok(maxRelativeDifference(x.losses, y.losses) < 1e-4, `losses ${x.losses} vs ${y.losses}`);
      // And back: tf.train.adam's state into a fresh FusedAdam.
      const back = new FusedAdam(parsed.learningRate);
      const state = await plain.getWeights();
      await back.setWeights(state);
      tf.dispose(state.filter((w) => w.name === 'iter').map((w) => w.tensor));
      assert.equal(back.iterations, 10);
      tf.dispose([batch, ...weights, ...copies.map((c) => c.tensor), ...saved.filter((w) => w.name === 'iter').map((w) => w.tensor)]);
      [fused, plain, back, a, b].forEach((item) => item.dispose());
    });
  });
}
