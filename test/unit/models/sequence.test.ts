import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { openDataset } from '../../../src/data/open-dataset';
import type { Dataset } from '../../../src/data/dataset';
import { END_INDEX } from '../../../src/data/readers/text';
import { buildModel } from '../../../src/models/build-model';
import type { BuiltModel } from '../../../src/models/built-model';
import { createOptimizer } from '../../../src/models/optimizer';
import { parseModelConfig } from '../../../src/models/parse-config';
import { loadModel, saveModel } from '../../../src/models/persist';
import { textCodec } from '../../../src/models/seq2seq/text-codec';
import { initBackend } from '../../../src/trainer/backend';
import { textMetrics } from '../../../src/trainer/text-metrics';
import { samplesDir } from '../data/helpers';

function build(dataset: Dataset, config: object): BuiltModel {
  const parsed = parseModelConfig({ preset: 'sequence', ...config }, { kind: 'text', inputShape: [...dataset.inputShape] });
  return buildModel(parsed, dataset.inputShape, dataset.kind, dataset.vocabulary!.length);
}

function batchOf(dataset: Dataset, indices: number[]): tf.Tensor2D {
  const [length] = dataset.inputShape;
  const buffer = new Float32Array(indices.length * length);
  dataset.fillBatch(indices, buffer);
  return tf.tensor2d(buffer, [indices.length, length]);
}

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

describe('sequence model (character seq2seq) on wasm', () => {
  let words: Dataset;
  let root = '';
  before(async () => {
    await initBackend('wasm');
    words = await openDataset({ path: join(samplesDir, 'words', 'words.txt'), limit: 64 });
    root = await mkdtemp(join(tmpdir(), 'ae-lab-sequence-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  test('the saved layers models compute what training computes: encoder codes and teacher-forced probabilities', () => {
    const built = build(words, { rnnUnits: 24, codeSize: 8, embeddingSize: 6 });
    const indices = Array.from({ length: 16 }, (_, i) => i * 3);
    const x = batchOf(words, indices);
    const [length] = words.inputShape;
    tf.tidy(() => {
      const fast = built.text!.encode(x.dataSync(), indices.length);
      // tf.layers.gru with goBackwards over the masked stored sample reads what the packed encoder reads.
      const layers = built.encoder.predict(x) as tf.Tensor;
      assert.ok(maxDifference(fast.dataSync(), layers.dataSync()) < 1e-4, 'codes');
      // The decoder model, fed the previous characters, gives the softmax of the training logits:
      // its per-position cross-entropy of the targets is the model's per-sample error.
      const previous = tf.concat([tf.fill([indices.length, 1], END_INDEX), tf.slice(x, [0, 0], [indices.length, length - 1])], 1);
      const probabilities = built.decoder.predict([layers, previous]) as tf.Tensor;
      const targets = tf.oneHot(tf.cast(x, 'int32'), words.vocabulary!.length);
      const mask = tf.cast(tf.notEqual(x, 0), 'float32');
      const losses = tf.sum(tf.mul(tf.neg(tf.sum(tf.mul(targets, tf.log(probabilities)), -1)), mask), 1).div(tf.sum(mask, 1));
      assert.ok(maxDifference(losses.dataSync(), built.perSampleError(x).dataSync()) < 1e-4, 'per-sample cross-entropy');
    });
    x.dispose();
    built.dispose();
  });

  test('learns 64 words to a held-in exact match of at least 90% (greedy decoding)', () => {
    const built = build(words, { rnnUnits: 64, codeSize: 32, embeddingSize: 16, learningRate: 0.01, batchSize: 32 });
    const optimizer = createOptimizer(built.config);
    const all = Array.from({ length: words.count }, (_, i) => i);
    for (let step = 0; step < 400; step++) {
      const start = (step * 32) % words.count;
      const x = batchOf(words, all.slice(start, start + 32));
      const loss = optimizer.minimize(() => built.loss(x, true), true, built.trainableVariables)!;
      tf.dispose([loss, x]);
    }
    const metrics = textMetrics(tf, built, words, all);
    assert.ok(metrics.val_exact_match >= 0.9, `exact match ${metrics.val_exact_match}, char accuracy ${metrics.val_char_accuracy}`);
    assert.ok(metrics.val_char_accuracy >= metrics.val_exact_match);
    optimizer.dispose();
    built.dispose();
  });

  test('a saved model loads back and codes and decodes lines as before', async () => {
    const built = build(words, { rnnUnits: 16, codeSize: 8, embeddingSize: 4, variational: true });
    const dir = join(root, 'model');
    await saveModel(built, dir);
    const loaded = await loadModel(dir);
    const codec = textCodec(loaded.encoder, loaded.decoder, words.inputShape[0]);
    const x = batchOf(words, [0, 1, 2, 3]);
    const [a, b] = [built.text!, codec].map((c) => tf.tidy(() => c.encode(x.dataSync(), 4)));
    assert.equal(maxDifference(a.dataSync(), b.dataSync()), 0);
    assert.deepEqual(Array.from(built.text!.decode(a)), Array.from(codec.decode(b)));
    tf.dispose([a, b, x]);
    for (const model of Object.values(loaded)) model.dispose();
    built.dispose();
  });

  test('character dropout and the variational sample are seeded: same seed, same losses; eval mode draws nothing', () => {
    const losses = (seed: number) => {
      const built = build(words, { rnnUnits: 16, codeSize: 8, embeddingSize: 4, variational: true, charDropout: 0.5, seed });
      const x = batchOf(words, Array.from({ length: 16 }, (_, i) => i));
      const values = [0, 1, 2].map(() => tf.tidy(() => built.loss(x, true).dataSync()[0]));
      const draws = built.randomDraws;
      const evaluation = [0, 1].map(() => tf.tidy(() => built.loss(x, false).dataSync()[0]));
      assert.equal(built.randomDraws, draws, 'evaluation draws no noise');
      assert.equal(evaluation[0], evaluation[1]);
      x.dispose();
      built.dispose();
      return values;
    };
    const first = losses(5);
    assert.deepEqual(losses(5), first);
    assert.notDeepEqual(losses(6), first);
    assert.notEqual(first[0], first[1], 'each training call draws fresh dropout and noise');
  });

  test('the sequence preset trains on Chinese text (a vocabulary of thousands of characters)', async () => {
    const verses = await openDataset({ path: join(samplesDir, 'poetry', 'tang.txt'), limit: 32 });
    const built = build(verses, { rnnUnits: 16, codeSize: 8, embeddingSize: 8, learningRate: 0.01 });
    const optimizer = createOptimizer(built.config);
    const x = batchOf(verses, Array.from({ length: 32 }, (_, i) => i));
    const losses: number[] = [];
    for (let step = 0; step < 15; step++) {
      const loss = optimizer.minimize(() => built.loss(x, true), true, built.trainableVariables)!;
      losses.push(loss.dataSync()[0]);
      loss.dispose();
    }
    assert.ok(losses[14] < losses[0] * 0.9, `loss ${losses[0]} -> ${losses[14]}`);
    tf.dispose(x);
    optimizer.dispose();
    built.dispose();
  });
});
