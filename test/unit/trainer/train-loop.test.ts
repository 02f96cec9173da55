import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type * as tfType from '@tensorflow/tfjs';
import type { Dataset } from '../../../src/data/dataset';
import { openDataset } from '../../../src/data/open-dataset';
import type { FromTrainer } from '../../../src/protocol/trainer-protocol';
import { initBackend } from '../../../src/trainer/backend';
import { runTrainingLoop, type TrainLoopOptions } from '../../../src/trainer/train-loop';
import { loopSetup } from './loop-setup';
import { fashionImages, smallDense, wordsFile } from './trainer-helpers';

// The loop in-process, on real data and real models: exact stop/pause points, determinism, no leaks.

let tf: typeof tfType;
let images: Dataset;

before(async () => {
  tf = (await initBackend('wasm')).tf;
  images = await openDataset({ path: fashionImages, limit: 256 });
});

function setup(dataset: Dataset, input: Record<string, unknown>, overrides: Partial<TrainLoopOptions> = {}) {
  return loopSetup(tf, dataset, input, overrides);
}

const steps = (events: FromTrainer[]) => events.flatMap((m) => (m.type === 'batchLoss' ? m.steps : []));

describe('training loop', () => {
  test('the same seed gives the same losses, and the loss goes down', async () => {
    const losses: number[][] = [];
    for (let run = 0; run < 2; run++) {
      const { options, events, dispose } = setup(images, { ...smallDense, epochs: 2 });
      await runTrainingLoop(options);
      losses.push(events.flatMap((m) => (m.type === 'epochEnd' ? [m.metrics.loss, m.metrics.val_loss!] : [])));
      dispose();
    }
    assert.deepEqual(losses[0], losses[1]);
    assert.ok(losses[0][2] < losses[0][0], `${losses[0]}`);
  });

  test('stop is obeyed before the next batch; a partial epoch is not counted', async () => {
    const { options, events, control, dispose } = setup(images, { ...smallDense, epochs: 5 }, { progressIntervalMs: 0 });
    const emit = options.emit;
    options.emit = (m) => {
      emit(m);
      if (m.type === 'progress' && m.epoch === 2 && m.batch === 3) control.stop();
    };
    const result = await runTrainingLoop(options);
    dispose();
    const perEpoch = Math.ceil(options.trainIndices.length / 32);
    assert.equal(Math.max(...steps(events)), perEpoch + 3, 'no batch after the one that saw the stop');
    assert.deepEqual([result.status, result.epochsCompleted], ['stopped', 1]);
    assert.equal(events.filter((m) => m.type === 'epochEnd').length, 1);
    assert.ok(result.anomalies, 'anomalies from the last finished epoch');
  });

  test('pause holds the loop between batches until resume, and paused time is not training time', async () => {
    const { options, events, control, dispose } = setup(images, { ...smallDense, epochs: 1 }, { progressIntervalMs: 0 });
    const emit = options.emit;
    let stepsWhenPaused = -1;
    options.emit = (m) => {
      emit(m);
      if (m.type === 'progress' && m.batch === 2) control.pause();
      if (m.type === 'paused') {
        stepsWhenPaused = steps(events).length;
        setTimeout(() => {
          assert.equal(steps(events).length, stepsWhenPaused, 'nothing trained while paused');
          control.resume();
        }, 400);
      }
    };
    const startedAt = performance.now();
    const result = await runTrainingLoop(options);
    const wallSeconds = (performance.now() - startedAt) / 1000;
    dispose();
    assert.equal(stepsWhenPaused, 2);
    assert.equal(result.status, 'completed');
    const types = events.map((m) => m.type);
    assert.ok(types.indexOf('paused') < types.indexOf('resumed'));
    const epoch = events.find((m) => m.type === 'epochEnd');
    assert.ok(epoch?.type === 'epochEnd');
    assert.ok(epoch.metrics.seconds <= wallSeconds - 0.35, `epoch ${epoch.metrics.seconds} s, wall ${wallSeconds} s with a 0.4 s pause`);
    const lastProgress = events.filter((m) => m.type === 'progress').at(-1);
    assert.ok(lastProgress?.type === 'progress' && lastProgress.elapsedSeconds <= wallSeconds - 0.35);
  });

  test('no tensors leak from batches, validation, reconstructions and codes', async () => {
    const { options, dispose } = setup(images, { ...smallDense, epochs: 1 });
    await runTrainingLoop(options); // creates the optimizer's slots
    const before = tf.memory().numTensors;
    await runTrainingLoop({ ...options, startEpoch: 1, epochs: 3 });
    assert.equal(tf.memory().numTensors, before);
    dispose();
  });

  test('the end-of-run per-sample errors hold one chunk of tensors at a time, not the whole validation set', async () => {
    // 26 validation samples in chunks of 4: each chunk's tensors must be gone before the next is computed.
    const { options, model, dispose } = setup(images, { ...smallDense, epochs: 1, batchSize: 4 });
    const live: { after: string; tensors: number }[] = [];
    let after = 'start';
    const perSampleError = model.perSampleError.bind(model);
    model.perSampleError = (x) => {
      live.push({ after, tensors: tf.memory().numTensors });
      return perSampleError(x);
    };
    await runTrainingLoop({ ...options, emit: (message) => void (after = message.type) });
    // After the last epoch's messages: the errors of every validation chunk (then the pictures of the worst).
    const chunks = Math.ceil(options.validationIndices.length / 4);
    const final = live.filter((call) => call.after === 'codes').slice(0, chunks);
    assert.ok(chunks >= 6 && final.length === chunks, `${final.length} of ${chunks} chunks`);
    assert.deepEqual(new Set(final.map((call) => call.tensors)).size, 1, `live tensors per chunk: ${final.map((call) => call.tensors).join(', ')}`);
    dispose();
  });

  test('text: reconstructions are decoded strings next to the original lines', async () => {
    const words = await openDataset({ path: wordsFile, limit: 96 });
    const { options, events, dispose } = setup(words, { epochs: 1, batchSize: 32, rnnUnits: 16, codeSize: 8 }, { previewCount: 4 });
    await runTrainingLoop(options);
    dispose();
    const reconstructions = events.find((m) => m.type === 'reconstructions');
    assert.ok(reconstructions?.type === 'reconstructions');
    const texts = reconstructions.data.texts!;
    assert.equal(texts.length, 4);
    assert.deepEqual(texts.map((t) => t.input), reconstructions.data.indices.map((i) => words.text!(i)));
    assert.ok(texts.every((t) => typeof t.output === 'string'));
    assert.equal(reconstructions.data.inputs, undefined);
    const epoch = events.find((m) => m.type === 'epochEnd');
    assert.ok(epoch?.type === 'epochEnd' && epoch.metrics.val_exact_match !== undefined && epoch.metrics.val_char_accuracy !== undefined, 'text metrics every epoch');
  });

  test('a run with no validation split still trains, with val_loss null', async () => {
    const { options, events, dispose } = setup(images, { ...smallDense, epochs: 1, validationSplit: 0 });
    const result = await runTrainingLoop(options);
    dispose();
    const epoch = events.find((m) => m.type === 'epochEnd');
    assert.ok(epoch?.type === 'epochEnd');
    assert.equal(epoch.metrics.val_loss, null);
    assert.equal(result.status, 'completed');
  });
});
