import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FromTrainer } from '../../../src/protocol/trainer-protocol';
import { applyTrainerEvent, isRunEvent, runViewFromStarted } from '../../../src/extension/live-run';

const started: Extract<FromTrainer, { type: 'started' }> = {
  type: 'started',
  runDir: '/runs/20261127-200000-fashion',
  dataset: {
    path: '/data/fashion.idx',
    name: 'fashion',
    format: 'idx',
    kind: 'image',
    count: 100,
    sampleShape: [28, 28],
    inputShape: [28, 28, 1],
    dtype: 'uint8',
  },
  graph: { preset: 'dense', layers: [], totalParams: 10, codeShape: [null, 2] },
  config: { preset: 'dense', epochs: 2 },
  resumedFromEpoch: 0,
};

test('the host copy of a run follows the trainer events', () => {
  const run = runViewFromStarted(started, 'wasm');
  assert.equal(run.name, '20261127-200000-fashion');
  assert.equal(run.status, 'running');
  assert.equal(run.backend, 'wasm');
  applyTrainerEvent(run, { type: 'progress', epoch: 1, epochs: 2, batch: 3, batches: 4, samplesPerSecond: 100, etaSeconds: 5, elapsedSeconds: 1 });
  applyTrainerEvent(run, { type: 'batchLoss', steps: [1, 2], losses: [0.5, 0.4] });
  applyTrainerEvent(run, { type: 'epochEnd', metrics: { epoch: 1, loss: 0.4, val_loss: 0.45, seconds: 1, samples_per_second: 100 } });
  applyTrainerEvent(run, { type: 'reconstructions', data: { epoch: 1, indices: [0], errors: [0.1] } });
  applyTrainerEvent(run, { type: 'reconstructions', data: { epoch: 1, indices: [0], errors: [0.2] } });
  applyTrainerEvent(run, { type: 'paused' });
  assert.equal(run.paused, true);
  applyTrainerEvent(run, { type: 'resumed' });
  applyTrainerEvent(run, { type: 'error', message: 'a reply', requestId: 3 });
  assert.equal(run.error, undefined, 'errors of requests are not errors of the run');
  applyTrainerEvent(run, { type: 'done', runDir: run.runDir, status: 'completed', finalLoss: 0.4 });
  assert.equal(run.progress?.batch, 3);
  assert.deepEqual(run.batchLosses, [0.5, 0.4]);
  assert.equal(run.epochs.length, 1);
  assert.deepEqual(run.reconstructions.map((r) => r.errors[0]), [0.2], 'one reconstruction per epoch, the newest');
  assert.equal(run.status, 'completed');
  assert.equal(run.paused, false);
});

test('very long runs keep a bounded, thinned per-batch series', () => {
  const run = runViewFromStarted(started, 'cpu');
  for (let step = 0; step < 20_000; step += 100) {
    const steps = Array.from({ length: 100 }, (_, i) => step + i);
    applyTrainerEvent(run, { type: 'batchLoss', steps, losses: steps.map((s) => 1 / (s + 1)) });
  }
  assert.ok(run.batchSteps.length <= 4100, `${run.batchSteps.length} points`);
  assert.equal(run.batchSteps.length, run.batchLosses.length);
  assert.equal(run.batchSteps.at(-1), 19_999, 'the newest point is kept');
  assert.ok(run.batchSteps.every((s, i) => i === 0 || s > run.batchSteps[i - 1]), 'steps stay increasing');
});

test('replies and the child handshake are not run events', () => {
  assert.equal(isRunEvent({ type: 'ready', backend: 'wasm', versions: {}, pid: 1 }), false);
  assert.equal(isRunEvent({ type: 'error', message: 'x', requestId: 1 }), false);
  assert.equal(isRunEvent({ type: 'error', message: 'x' }), true);
  assert.equal(isRunEvent({ type: 'paused' }), true);
});
