import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import type * as tfType from '@tensorflow/tfjs';
import type { Dataset } from '../../../src/data/dataset';
import { openDataset } from '../../../src/data/open-dataset';
import { splitIndices } from '../../../src/data/split';
import { initBackend } from '../../../src/trainer/backend';
import { constantOutputNotice, meanPredictionMse } from '../../../src/trainer/loop/constant-output';
import { EarlyStopping } from '../../../src/trainer/loop/early-stopping';
import { thinHistory } from '../../../src/trainer/run-folder';
import { runTrainingLoop, type TrainLoopOptions } from '../../../src/trainer/train-loop';
import { textMetrics } from '../../../src/trainer/text-metrics';
import { loopSetup } from './loop-setup';
import { fashionImages, repoRoot, smallDense, wordsFile } from './trainer-helpers';

// Automatic epochs: when training stops, which weights the run keeps, and the constant-output check.

const digitsFolder = join(repoRoot, 'samples', 'digits');
const rule = { maxEpochs: 100, maxTimeSeconds: 0, patience: 3, minDelta: 0.01 };

describe('EarlyStopping', () => {
  test('automatic: stops after `patience` epochs without a relative improvement of minDelta', () => {
    const stopping = new EarlyStopping(rule);
    const losses = [1, 0.5, 0.4, 0.398, 0.397, 0.399];
    const reasons = losses.map((loss, i) => {
      stopping.observe(i + 1, loss);
      return stopping.afterEpoch(i + 1, 0, 0);
    });
    // 0.398 and 0.397 are less than 1% better than 0.4: epochs 4, 5 and 6 do not count.
    assert.deepEqual(reasons, [undefined, undefined, undefined, undefined, undefined, 'patience']);
    assert.deepEqual(stopping.state, { bestEpoch: 3, bestLoss: 0.4 });
  });

  test('a fixed epoch count ignores patience; the epoch limit and the time limit stop both', () => {
    const fixed = new EarlyStopping({ ...rule, epochs: 4 });
    fixed.observe(1, 1);
    assert.equal(fixed.afterEpoch(3, 0, 0), undefined, 'no patience stop with a fixed count');
    assert.equal(fixed.afterEpoch(4, 0, 0), 'epochs');
    assert.equal(new EarlyStopping({ ...rule, maxEpochs: 2 }).afterEpoch(2, 0, 0), 'epochs');
    const timed = new EarlyStopping({ ...rule, maxTimeSeconds: 10 });
    assert.equal(timed.afterEpoch(1, 5, 4), undefined);
    assert.equal(timed.afterEpoch(2, 7, 4), 'time', 'the next epoch would end past the limit');
    assert.equal(timed.outOfTime(10.5), true);
  });

  test('a resumed state keeps counting from the saved best epoch', () => {
    const stopping = new EarlyStopping(rule, { bestEpoch: 7, bestLoss: 0.2 });
    stopping.observe(8, 0.21);
    stopping.observe(9, 0.2);
    assert.equal(stopping.afterEpoch(9, 0, 0), undefined);
    stopping.observe(10, 0.199);
    assert.equal(stopping.afterEpoch(10, 0, 0), 'patience');
  });
});

describe('automatic epochs in the training loop', () => {
  let tf: typeof tfType;
  let images: Dataset;

  before(async () => {
    tf = (await initBackend('wasm')).tf;
    images = await openDataset({ path: fashionImages, limit: 384 });
  });

  function setup(dataset: Dataset, input: Record<string, unknown>, overrides: Partial<TrainLoopOptions> = {}) {
    const { options, events, dispose, model, split } = loopSetup(tf, dataset, input, overrides, 'rule');
    const validationError = () => {
      const values = new Float32Array(split.validation.length * 784);
      dataset.fillBatch(split.validation, values);
      return tf.tidy(() => tf.mean(model.perSampleError(tf.tensor(values, [split.validation.length, 28, 28, 1]))).dataSync()[0]);
    };
    return { options, events, dispose, validationError };
  }

  test('stops when the validation loss no longer improves and keeps the best epoch\'s weights', async () => {
    // A large minDelta makes improvements rare, so the best epoch is usually not the last one.
    const { options, events, dispose, validationError } = setup(images, { ...smallDense, patience: 2, minDelta: 0.2, maxEpochs: 40 });
    const result = await runTrainingLoop(options);
    const epochs = events.flatMap((m) => (m.type === 'epochEnd' ? [m.metrics] : []));
    assert.equal(result.stopReason, 'patience');
    assert.equal(result.status, 'completed');
    assert.equal(result.epochsCompleted, result.bestEpoch + 2);
    const best = epochs.find((m) => m.epoch === result.bestEpoch)!;
    assert.ok(Math.abs(validationError() - best.val_loss!) <= 1e-6 * best.val_loss!, `model error ${validationError()} vs best epoch ${best.val_loss}`);
    assert.equal(result.bestValMse, best.val_mse);
    assert.ok(epochs.every((m) => typeof m.val_mse === 'number' && m.best_epoch! <= m.epoch));
    const progress = events.find((m) => m.type === 'progress');
    assert.ok(progress?.type === 'progress' && progress.automatic === true && progress.epochs === 40);
    dispose();
  });

  test('a text model keeps the epoch whose greedy decoding gets the most held-out characters right', async () => {
    const words = await openDataset({ path: wordsFile, limit: 400 });
    const config = { preset: 'sequence', rnnUnits: 32, embeddingSize: 16, codeSize: 16, batchSize: 32, epochs: 8, minDelta: 0 };
    const { options, events, dispose } = setup(words, config);
    const result = await runTrainingLoop(options);
    const accuracies = events.flatMap((m) => (m.type === 'epochEnd' ? [m.metrics.val_char_accuracy!] : []));
    assert.equal(accuracies.length, 8);
    assert.ok(Math.max(...accuracies) > accuracies[0], `the model learns (${accuracies.join(', ')})`);
    assert.equal(result.bestEpoch, accuracies.indexOf(Math.max(...accuracies)) + 1);
    const kept = textMetrics(tf, options.model, words, options.validationIndices);
    assert.equal(kept.val_char_accuracy, Math.max(...accuracies), 'the run ends with that epoch\'s weights');
    dispose();
  });

  test('the time limit stops between epochs, and cuts a first epoch longer than the limit with its metrics', async () => {
    // A clock that advances one second per reading: the limit is reached in the first epoch.
    let now = 0;
    const { options, events, dispose } = setup(images, { ...smallDense, maxTimeSeconds: 3 }, { clock: () => (now += 1000) });
    const result = await runTrainingLoop(options);
    assert.equal(result.stopReason, 'time');
    assert.equal(result.epochsCompleted, 1);
    const epochEnds = events.flatMap((m) => (m.type === 'epochEnd' ? [m.metrics] : []));
    assert.equal(epochEnds.length, 1);
    assert.ok(Number.isFinite(epochEnds[0].loss) && typeof epochEnds[0].val_loss === 'number', 'the cut epoch is scored');
    const progress = events.flatMap((m) => (m.type === 'progress' ? [m] : []));
    const last = progress[progress.length - 1];
    assert.ok(last.batch < last.batches, `the first epoch was cut (batch ${last.batch} of ${last.batches})`);
    assert.ok(events.some((m) => m.type === 'reconstructions'), 'its reconstructions are shown');
    dispose();
  });

  test('a first epoch that fits in the time limit runs to its end', async () => {
    let now = 0;
    const { options, events, dispose } = setup(images, { ...smallDense, maxTimeSeconds: 1000 }, { clock: () => (now += 1000) });
    const result = await runTrainingLoop(options);
    assert.equal(result.stopReason, 'time');
    const progress = events.flatMap((m) => (m.type === 'progress' && m.epoch === 1 ? [m] : []));
    assert.equal(progress[progress.length - 1].batch, progress[progress.length - 1].batches);
    dispose();
  });

  test('a model that outputs the mean image is detected and the user is told what to change', async () => {
    // The conv preset with MSE collapses on sparse strokes (measured: validation MSE stays at the mean image's).
    const digits = await openDataset({ path: digitsFolder });
    const { options, events, dispose } = setup(digits, { preset: 'conv', loss: 'mse', epochs: 6 });
    const result = await runTrainingLoop(options);
    const notice = events.find((m) => m.type === 'notice');
    assert.ok(notice?.type === 'notice', `no notice; best val_mse ${result.bestValMse}`);
    assert.equal(notice.notice.code, 'constant-output');
    assert.match(notice.notice.message, /same picture for every input.*loss bce/);
    assert.deepEqual(result.notices, [notice.notice]);
    dispose();
  });

  test('a model that learns raises no notice', async () => {
    const { options, events, dispose } = setup(images, { ...smallDense, epochs: 6 });
    await runTrainingLoop(options);
    assert.equal(events.filter((m) => m.type === 'notice').length, 0);
    dispose();
  });

  test('the mean-image baseline is the per-pixel variance of the validation samples around the training mean', () => {
    const split = splitIndices(images.count, 0.1, 42);
    const baseline = meanPredictionMse(images, split.train, split.validation)!;
    assert.ok(baseline > 0.05 && baseline < 0.15, `Fashion-MNIST's mean-image MSE is about 0.1, got ${baseline}`);
    assert.equal(constantOutputNotice(baseline * 0.5, baseline, { preset: 'dense', loss: 'mse' }), undefined);
    assert.ok(constantOutputNotice(baseline * 0.95, baseline, { preset: 'conv', loss: 'mse' }));
  });
});

test('reconstruction history is thinned over the whole run, first and latest epochs kept', () => {
  const history = Array.from({ length: 300 }, (_, i) => ({ epoch: i + 1 }));
  const kept = thinHistory(history, 50);
  assert.equal(kept.length, 50);
  assert.equal(kept[0].epoch, 1);
  assert.equal(kept.at(-1)!.epoch, 300);
  assert.ok(kept.every((entry, i) => i === 0 || entry.epoch > kept[i - 1].epoch));
});
