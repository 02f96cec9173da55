import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/trainer/backend';
import { buildModel } from '../../../src/models/build-model';
import type { BuiltModel } from '../../../src/models/built-model';
import { parseModelConfig, type ModelConfigContext } from '../../../src/models/parse-config';

function build(input: object, context: ModelConfigContext): BuiltModel {
  return buildModel(parseModelConfig(input, context), context.inputShape, context.kind, context.vocabularySize);
}

const mnist: ModelConfigContext = { kind: 'image', inputShape: [28, 28, 1] };

function summary(built: BuiltModel): string[] {
  return built.graph.layers.map((l) => `${l.group} ${l.name} ${l.className} [${l.outputShape.join(',')}] ${l.params}`);
}

describe('buildModel', () => {
  before(async () => {
    await initBackend('wasm');
  });

  test('dense on 28x28 images is 784-128-64-128-784 with the textbook parameter count', () => {
    const built = build({}, mnist);
    assert.deepEqual(summary(built), [
      'input input InputLayer [,28,28,1] 0',
      'encoder enc_flatten Flatten [,784] 0',
      'encoder enc_dense_1 Dense [,128] 100480',
      'code code Dense [,64] 8256',
      'decoder dec_dense_1 Dense [,128] 8320',
      'decoder dec_output Dense [,784] 101136',
      'decoder dec_reshape Reshape [,28,28,1] 0',
    ]);
    assert.equal(built.graph.totalParams, 784 * 128 + 128 + 128 * 64 + 64 + 64 * 128 + 128 + 128 * 784 + 784);
    assert.equal(built.autoencoder.countParams(), built.graph.totalParams);
    assert.deepEqual(built.graph.codeShape, [null, 64]);
    assert.deepEqual(built.autoencoder.outputs[0].shape, [null, 28, 28, 1]);
    assert.deepEqual(built.encoder.outputs[0].shape, [null, 64]);
    assert.deepEqual(built.decoder.inputs[0].shape, [null, 64]);
    assert.equal(built.trainableVariables.length, 8);
    built.dispose();
  });

  test('dense on tabular data has no flatten/reshape and a linear output', () => {
    const built = build({ preset: 'deep' }, { kind: 'tabular', inputShape: [10] });
    assert.deepEqual(
      built.graph.layers.map((l) => l.outputShape[1]),
      [10, 512, 256, 128, 32, 128, 256, 512, 10],
    );
    assert.equal(built.decoder.layers.at(-1)?.getConfig().activation, 'linear');
    built.dispose();
  });

  test('conv has exactly the default layers of the design, code 7x7x8', () => {
    const built = build({ preset: 'conv' }, mnist);
    assert.deepEqual(summary(built), [
      'input input InputLayer [,28,28,1] 0',
      'encoder enc_conv_1 Conv2D [,28,28,16] 160',
      'encoder enc_pool_1 MaxPooling2D [,14,14,16] 0',
      'encoder enc_conv_2 Conv2D [,14,14,8] 1160',
      'encoder enc_pool_2 MaxPooling2D [,7,7,8] 0',
      'code code Conv2D [,7,7,8] 584',
      'decoder dec_upsample_1 UpSampling2D [,14,14,8] 0',
      'decoder dec_conv_1 Conv2D [,14,14,16] 1168',
      'decoder dec_upsample_2 UpSampling2D [,28,28,16] 0',
      // channels follow the data: 1 for grey images
      'decoder dec_output Conv2D [,28,28,1] 145',
    ]);
    assert.deepEqual(built.graph.codeShape, [null, 7, 7, 8]);
    assert.equal(built.decoder.layers.at(-1)?.getConfig().activation, 'sigmoid');
    built.dispose();
  });

  test('conv with Conv2DTranspose, RGB images and a size not divisible by 4 (padded, then cropped)', () => {
    const built = build({ preset: 'conv', convTranspose: true }, { kind: 'image', inputShape: [30, 26, 3] });
    assert.deepEqual(summary(built), [
      'input input InputLayer [,30,26,3] 0',
      'encoder enc_pad ZeroPadding2D [,32,28,3] 0',
      'encoder enc_conv_1 Conv2D [,32,28,16] 448',
      'encoder enc_pool_1 MaxPooling2D [,16,14,16] 0',
      'encoder enc_conv_2 Conv2D [,16,14,8] 1160',
      'encoder enc_pool_2 MaxPooling2D [,8,7,8] 0',
      'code code Conv2D [,8,7,8] 584',
      'decoder dec_conv_1 Conv2DTranspose [,16,14,16] 1168',
      'decoder dec_output Conv2DTranspose [,32,28,3] 435',
      'decoder dec_crop Cropping2D [,30,26,3] 0',
    ]);
    built.dispose();
  });

  test('vae: mean and log-variance heads, a sampling step, encoder gives the mean', () => {
    const built = build({ preset: 'vae' }, mnist);
    const names = built.graph.layers.map((l) => `${l.group}:${l.name}`);
    assert.deepEqual(names, [
      'input:input',
      'encoder:enc_flatten',
      'encoder:enc_dense_1',
      'code:code_mean',
      'code:code_log_var',
      'code:sampling',
      'decoder:dec_dense_1',
      'decoder:dec_output',
      'decoder:dec_reshape',
    ]);
    assert.deepEqual(built.encoder.outputs[0].shape, [null, 2]);
    assert.deepEqual(built.graph.codeShape, [null, 2]);
    // The log-variance head is trained although the saved encoder leaves it out.
    assert.equal(built.trainableVariables.length, 10);
    assert.equal(built.graph.totalParams, built.trainableVariables.reduce((sum, v) => sum + v.size, 0));
    built.dispose();
  });

  test('sequence: embedding and GRU encoder to a code, a GRU decoder started from it and fed the previous character', () => {
    const built = build({ preset: 'sequence', rnnUnits: 32, codeSize: 16, embeddingSize: 8 }, { kind: 'text', inputShape: [12], vocabularySize: 20 });
    assert.deepEqual(
      built.graph.layers.map((l) => `${l.group} ${l.className} [${l.outputShape.join(',')}]`),
      [
        'input InputLayer [,12]',
        'encoder Embedding [,12,8]',
        'encoder GRU [,32]',
        'code Dense [,16]',
        'decoder Embedding [,12,8]',
        'decoder Dense [,32]',
        'decoder GRU [,12,32]',
        'decoder Dense [,12,8]',
        'decoder Dense [,12,20]',
      ],
    );
    assert.ok(built.text, 'a text model decodes lines');
    const previous = tf.ones([2, 12]);
    const probabilities = tf.tidy(() => (built.decoder.predict([tf.zeros([2, 16]), previous]) as tf.Tensor).sum(-1).dataSync());
    for (const p of probabilities) assert.ok(Math.abs(p - 1) < 1e-5, 'softmax rows sum to 1');
    previous.dispose();
    assert.equal(built.graph.totalParams, built.trainableVariables.reduce((sum, v) => sum + v.size, 0));
    built.dispose();
  });

  test('denoising and sparse are dense underneath', () => {
    for (const preset of ['denoising', 'sparse']) {
      const built = build({ preset }, mnist);
      assert.equal(built.graph.totalParams, 218192);
      assert.equal(built.graph.preset, preset);
      built.dispose();
    }
  });

  test('dispose frees every weight', () => {
    const before = tf.memory().numTensors;
    for (const [input, context] of [
      [{ preset: 'conv' }, mnist],
      [{ preset: 'vae' }, mnist],
      [{ preset: 'sequence', rnnUnits: 8 }, { kind: 'text', inputShape: [5], vocabularySize: 7 }],
      [{ preset: 'sequence', rnnUnits: 8, variational: true }, { kind: 'text', inputShape: [5], vocabularySize: 7 }],
    ] as const) {
      build(input, context).dispose();
    }
    assert.equal(tf.memory().numTensors, before);
  });
});
