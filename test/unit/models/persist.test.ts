import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/trainer/backend';
import { buildModel } from '../../../src/models/build-model';
import type { BuiltModel } from '../../../src/models/built-model';
import { createOptimizer } from '../../../src/models/optimizer';
import { parseModelConfig, type ModelConfigContext } from '../../../src/models/parse-config';
import { loadLayersModel, loadModel, loadWeights, saveModel, saveWeights } from '../../../src/models/persist';
import { trainStep } from './train-step';
import { syntheticImages, syntheticText } from './synthetic-data';

const image: ModelConfigContext = { kind: 'image', inputShape: [12, 12, 1] };
const text: ModelConfigContext = { kind: 'text', inputShape: [6, 8] };

function build(input: object, context: ModelConfigContext): BuiltModel {
  return buildModel(parseModelConfig(input, context), context.inputShape, context.kind);
}

function maxDifference(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

describe('saving and loading models', () => {
  let root = '';
  before(async () => {
    await initBackend('wasm');
    root = await mkdtemp(join(tmpdir(), 'ae-lab-persist-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const cases: Array<[string, object, ModelConfigContext, () => tf.Tensor]> = [
    ['dense', { preset: 'dense' }, image, () => syntheticImages(4, [12, 12, 1])],
    ['conv transpose', { preset: 'conv', convTranspose: true }, { kind: 'image', inputShape: [10, 10, 3] }, () => syntheticImages(4, [10, 10, 3])],
    ['vae', { preset: 'vae' }, image, () => syntheticImages(4, [12, 12, 1])],
    ['sequence lstm', { preset: 'sequence', rnn: 'lstm', rnnUnits: 16, codeSize: 8 }, text, () => syntheticText(4, 6, 8)],
  ];
  for (const [name, config, context, data] of cases) {
    test(`${name}: autoencoder, encoder and decoder give the same outputs after a round trip`, async () => {
      const built = build(config, context);
      const dir = join(root, name.replace(/ /g, '-'));
      await saveModel(built, dir);
      for (const part of ['autoencoder', 'encoder', 'decoder']) {
        assert.deepEqual((await readdir(join(dir, part))).sort(), ['model.json', 'weights.bin']);
        const json = JSON.parse(await readFile(join(dir, part, 'model.json'), 'utf8'));
        assert.equal(json.format, 'layers-model');
        assert.deepEqual(json.weightsManifest[0].paths, ['./weights.bin']);
      }
      const loaded = await loadModel(dir);
      const x = data();
      const code = tf.tidy(() => built.encoder.predict(x) as tf.Tensor);
      const pairs: Array<[tf.Tensor, tf.Tensor]> = [
        [built.autoencoder.predict(x) as tf.Tensor, loaded.autoencoder.predict(x) as tf.Tensor],
        [code, loaded.encoder.predict(x) as tf.Tensor],
        [built.decoder.predict(code) as tf.Tensor, loaded.decoder.predict(code) as tf.Tensor],
      ];
      for (const [a, b] of pairs) {
        assert.deepEqual(a.shape, b.shape);
        assert.equal(maxDifference(a, b), 0);
      }
      tf.dispose([x, ...pairs.flat()]);
      for (const model of Object.values(loaded)) model.dispose();
      built.dispose();
    });
  }

  test('a missing model folder is an error naming the file', async () => {
    await assert.rejects(loadLayersModel(join(root, 'nowhere')), (error: Error) => error.message.startsWith(join(root, 'nowhere', 'model.json')));
  });
});

describe('checkpoints', () => {
  let root = '';
  before(async () => {
    await initBackend('wasm');
    root = await mkdtemp(join(tmpdir(), 'ae-lab-checkpoint-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  function steps(built: BuiltModel, optimizer: tf.Optimizer, batch: tf.Tensor, count: number): number[] {
    const losses: number[] = [];
    for (let i = 0; i < count; i++) {
      const loss = trainStep(built, optimizer, batch);
      losses.push(loss.dataSync()[0]);
      loss.dispose();
    }
    return losses;
  }

  for (const [name, input] of [
    ['adam, denoising (weights, moments and the noise sequence)', { preset: 'denoising', learningRate: 0.01 }],
    ['rmsprop, vae', { preset: 'vae', optimizer: 'rmsprop' }],
    ['sgd, dense', { preset: 'dense', optimizer: 'sgd', learningRate: 0.3 }],
  ] as const) {
    test(`a resumed run continues exactly where it stopped: ${name}`, async () => {
      const config = parseModelConfig(input, image);
      const batch = syntheticImages(16, [12, 12, 1]);
      const dir = join(root, config.preset + config.optimizer);

      const original = buildModel(config, image.inputShape, image.kind);
      const originalOptimizer = createOptimizer(config);
      steps(original, originalOptimizer, batch, 5);
      await saveWeights(original, originalOptimizer, dir, { epoch: 3, step: 5 });
      const continued = steps(original, originalOptimizer, batch, 5);

      const resumed = buildModel(config, image.inputShape, image.kind);
      // Scramble the fresh weights: only the checkpoint can bring the run back.
      resumed.trainableVariables.forEach((variable, i) => variable.assign(tf.randomNormal(variable.shape, 0, 1, 'float32', i)));
      const resumedOptimizer = createOptimizer(config);
      const metadata = await loadWeights(resumed, resumedOptimizer, dir);
      assert.deepEqual(metadata, { epoch: 3, step: 5 });
      const resumedLosses = steps(resumed, resumedOptimizer, batch, 5);
      // Bit-identical weights; Adam recomputes beta^t with pow() on restore instead of repeated products,
      // so later steps may differ in the last float bits.
      resumedLosses.forEach((loss, i) => assert.ok(Math.abs(loss - continued[i]) <= 1e-5 * continued[i], `step ${i}: ${loss} vs ${continued[i]}`));
      assert.equal(resumedLosses[0], continued[0]);

      for (const thing of [original, resumed, originalOptimizer, resumedOptimizer, batch]) thing.dispose();
    });
  }

  test('saving again replaces the checkpoint and leaves one weights file', async () => {
    const config = parseModelConfig({}, image);
    const built = buildModel(config, image.inputShape, image.kind);
    const optimizer = createOptimizer(config);
    const dir = join(root, 'twice');
    await saveWeights(built, optimizer, dir, { epoch: 1 });
    await saveWeights(built, optimizer, dir, { epoch: 2 });
    const files = (await readdir(dir)).sort();
    assert.equal(files.length, 2);
    assert.equal(files[0], 'checkpoint.json');
    assert.match(files[1], /^weights-.*\.bin$/);
    assert.deepEqual(await loadWeights(built, optimizer, dir), { epoch: 2 });
    built.dispose();
    optimizer.dispose();
  });

  test('a checkpoint of another model, optimizer or a damaged file is refused with the file named', async () => {
    const config = parseModelConfig({}, image);
    const built = buildModel(config, image.inputShape, image.kind);
    const optimizer = createOptimizer(config);
    const dir = join(root, 'mismatch');
    await saveWeights(built, optimizer, dir);

    const other = buildModel(parseModelConfig({ codeSize: 16 }, image), image.inputShape, image.kind);
    await assert.rejects(loadWeights(other, createOptimizer(config), dir), /checkpoint\.json: the checkpoint's weights do not match this model/);
    await assert.rejects(loadWeights(built, createOptimizer({ optimizer: 'sgd', learningRate: 0.1 }), dir), /saved with optimizer Adam, but this run uses SGD/);
    const checkpoint = JSON.parse(await readFile(join(dir, 'checkpoint.json'), 'utf8'));
    await writeFile(join(dir, checkpoint.weightsFile), new Uint8Array(10));
    await assert.rejects(loadWeights(built, optimizer, dir), /weights-.*\.bin: the weights file is truncated/);
    await assert.rejects(loadWeights(built, optimizer, join(root, 'none')), /none[/\\]checkpoint\.json: cannot read the checkpoint/);
    for (const thing of [built, other, optimizer]) thing.dispose();
  });
});
