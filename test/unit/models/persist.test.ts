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
import { syntheticImages } from './synthetic-data';
import { nativeAtHand, useBackend, type TestBackend } from '../test-backends';

const image: ModelConfigContext = { kind: 'image', inputShape: [12, 12, 1] };

function build(input: object, context: ModelConfigContext): BuiltModel {
  return buildModel(parseModelConfig(input, context), context.inputShape, context.kind, context.vocabularySize);
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
      const { metadata, best } = await loadWeights(resumed, resumedOptimizer, dir);
      assert.deepEqual(metadata, { epoch: 3, step: 5 });
      assert.equal(best, undefined);
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
    assert.deepEqual((await loadWeights(built, optimizer, dir)).metadata, { epoch: 2 });
    built.dispose();
    optimizer.dispose();
  });

  test('the best epoch\'s weights travel with the checkpoint, bit for bit', async () => {
    const config = parseModelConfig({}, image);
    const built = buildModel(config, image.inputShape, image.kind);
    const optimizer = createOptimizer(config);
    const batch = syntheticImages(16, [12, 12, 1]);
    steps(built, optimizer, batch, 2);
    const best = built.trainableVariables.map((v) => tf.clone(v));
    steps(built, optimizer, batch, 3);
    const dir = join(root, 'best');
    await saveWeights(built, optimizer, dir, { epoch: 5 }, best);
    const loaded = await loadWeights(built, optimizer, dir);
    assert.equal(loaded.best?.length, best.length);
    loaded.best!.forEach((tensor, i) => {
      assert.deepEqual(tensor.shape, best[i].shape);
      assert.deepEqual(Array.from(tensor.dataSync()), Array.from(best[i].dataSync()));
    });
    tf.dispose([...best, ...loaded.best!, batch]);
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

describe('checkpoints and models saved on one backend load on the other', { skip: !nativeAtHand && 'tfjs-node not at hand' }, () => {
  let root = '';
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'ae-lab-cross-backend-'));
  });
  after(async () => {
    await useBackend('wasm');
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

  for (const [from, to] of [['wasm', 'tensorflow'], ['tensorflow', 'wasm']] as Array<[TestBackend, TestBackend]>) {
    test(`conv with Adam: a checkpoint saved on ${from} resumes on ${to} with the losses ${from} would have had (within 0.1%)`, async () => {
      const config = parseModelConfig({ preset: 'conv', learningRate: 0.01 }, image);
      const dir = join(root, `${from}-to-${to}`);
      await useBackend(from);
      const batch = syntheticImages(16, [12, 12, 1]);
      const original = buildModel(config, image.inputShape, image.kind);
      const originalOptimizer = createOptimizer(config);
      steps(original, originalOptimizer, batch, 4);
      await saveWeights(original, originalOptimizer, dir, { epoch: 2, step: 4 });
      await saveModel(original, join(dir, 'model'));
      const expectedOutput = tf.tidy(() => Array.from((original.autoencoder.predict(batch) as tf.Tensor).dataSync()));
      const continued = steps(original, originalOptimizer, batch, 3);
      for (const thing of [original, originalOptimizer]) thing.dispose();

      await useBackend(to);
      const resumed = buildModel(config, image.inputShape, image.kind);
      const resumedOptimizer = createOptimizer(config);
      assert.deepEqual((await loadWeights(resumed, resumedOptimizer, dir)).metadata, { epoch: 2, step: 4 });
      const resumedLosses = steps(resumed, resumedOptimizer, batch, 3);
      resumedLosses.forEach((loss, i) => assert.ok(Math.abs(loss - continued[i]) <= 1e-3 * continued[i], `step ${i}: ${to} ${loss} vs ${from} ${continued[i]}`));

      // The saved model (tfjs layers format) reconstructs on `to` what it did on `from`.
      const loaded = await loadModel(join(dir, 'model'));
      const output = tf.tidy(() => loaded.autoencoder.predict(batch) as tf.Tensor);
      assert.deepEqual(output.shape, [16, 12, 12, 1]);
      const worst = Array.from(output.dataSync()).reduce((max, value, i) => Math.max(max, Math.abs(value - expectedOutput[i])), 0);
      assert.ok(worst < 1e-4, `largest difference of the reconstructions: ${worst}`);
      for (const thing of [resumed, resumedOptimizer, batch, output, ...Object.values(loaded)]) thing.dispose();
    });
  }
});
