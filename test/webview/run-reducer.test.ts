import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LabState, RunEvent, RunView } from '../../src/protocol/lab-protocol';
import { MAX_BATCH_POINTS, reduceRun, runEventOf, runNameOf, withHistory } from '../../src/protocol/run-state';
import type { FromTrainer } from '../../src/protocol/trainer-protocol';
import { reduceLabMessage } from '../../webview/shared/run-reducer';
import { initialState, loadRunFixture } from './fixture';

const fixture = loadRunFixture();

/** The webview's fold: each event as the host posts it. */
function applyEvent(state: LabState, event: RunEvent): LabState {
  return reduceLabMessage(state, { type: 'run', event })!;
}

function fold(state: LabState, events: readonly RunEvent[]): LabState {
  return events.reduce(applyEvent, state);
}

const started: Extract<RunEvent, { type: 'started' }> = {
  type: 'started',
  runDir: '/w/.autoencoder-lab/runs/20260101-120000-x',
  graph: { preset: 'dense', layers: [], totalParams: 10, codeShape: [null, 2] },
  config: { preset: 'dense', epochs: 2 },
  backend: 'wasm',
};

describe('run reducer (one fold for the host and the webviews)', () => {
  it('folds a whole recorded run into a completed run view', () => {
    const state = fold(initialState(fixture), fixture.events);
    const run = state.run;
    assert.ok(run, 'a run view exists');
    const epochEnds = fixture.events.filter((e) => e.type === 'epochEnd');
    const reconstructions = fixture.events.filter((e) => e.type === 'reconstructions');
    const done = fixture.events.find((e): e is Extract<RunEvent, { type: 'done' }> => e.type === 'done');
    assert.equal(run.epochs.length, epochEnds.length);
    assert.equal(run.reconstructions.length, reconstructions.length);
    assert.equal(run.status, done?.status ?? 'running');
    assert.equal(run.paused, false);
    assert.equal(run.batchSteps.length, run.batchLosses.length);
    assert.ok(run.batchSteps.every((step, i) => i === 0 || step > run.batchSteps[i - 1]), 'batch steps ascend');
    assert.ok(run.backend, 'the backend that started carries is kept');
  });

  it('never mutates the state it is given', () => {
    const before = fold(initialState(fixture), [started]);
    const snapshot = JSON.stringify(before);
    const after = applyEvent(before, { type: 'batchLoss', steps: [1, 2], losses: [0.5, 0.4] });
    assert.equal(JSON.stringify(before), snapshot);
    assert.notEqual(after.run, before.run);
    assert.notEqual(after.run!.batchSteps, before.run!.batchSteps);
    // Untouched parts keep their identity: views skip redrawing them.
    assert.equal(after.run!.epochs, before.run!.epochs);
    assert.equal(after.dataset, before.dataset);
  });

  it('started makes a fresh run with the run folder name, graph and config', () => {
    const old = fold(initialState(fixture), fixture.events);
    const state = applyEvent(old, started);
    assert.equal(state.run!.name, '20260101-120000-x');
    assert.equal(state.run!.status, 'running');
    assert.deepEqual(state.run!.epochs, []);
    assert.deepEqual(state.run!.reconstructions, []);
    assert.equal(state.graph, started.graph);
    assert.deepEqual(state.config, started.config);
  });

  it('drops batch steps it already has (an overlapping snapshot)', () => {
    let state = fold(initialState(fixture), [started, { type: 'batchLoss', steps: [1, 2, 3], losses: [3, 2, 1] }]);
    state = applyEvent(state, { type: 'batchLoss', steps: [2, 3, 4], losses: [2, 1, 0.5] });
    assert.deepEqual(state.run!.batchSteps, [1, 2, 3, 4]);
    assert.deepEqual(state.run!.batchLosses, [3, 2, 1, 0.5]);
  });

  it('keeps per-batch points bounded on long runs, thinning the older half only', () => {
    let state = fold(initialState(fixture), [started]);
    let step = 0;
    for (let message = 0; message < 1000; message++) {
      const steps = Array.from({ length: 10 }, () => ++step);
      state = applyEvent(state, { type: 'batchLoss', steps, losses: steps.map((s) => 1 / s) });
    }
    const run = state.run!;
    assert.ok(run.batchSteps.length <= MAX_BATCH_POINTS, `${run.batchSteps.length} points`);
    assert.ok(run.batchSteps.length > MAX_BATCH_POINTS / 2);
    assert.equal(run.batchSteps[run.batchSteps.length - 1], step, 'the newest step is kept');
    assert.deepEqual(run.batchSteps.slice(-10), Array.from({ length: 10 }, (_, i) => step - 9 + i), 'recent batches keep full detail');
    assert.ok(run.batchSteps.every((s, i) => run.batchLosses[i] === 1 / s), 'steps and losses stay paired');
  });

  it('a repeated epoch (resumed run) replaces the earlier entry, in epoch order', () => {
    const metrics = (epoch: number, loss: number) => ({ type: 'epochEnd' as const, metrics: { epoch, loss, val_loss: null, seconds: 1, samples_per_second: 10 } });
    const state = fold(initialState(fixture), [started, metrics(1, 0.5), metrics(2, 0.4), metrics(2, 0.3)]);
    assert.deepEqual(state.run!.epochs.map((m) => [m.epoch, m.loss]), [[1, 0.5], [2, 0.3]]);
  });

  it('pause, resume and done', () => {
    let state = fold(initialState(fixture), [started, { type: 'paused' }]);
    assert.equal(state.run!.paused, true);
    state = applyEvent(state, { type: 'resumed' });
    assert.equal(state.run!.paused, false);
    state = fold(state, [{ type: 'paused' }, { type: 'done', runDir: started.runDir, status: 'stopped' }]);
    assert.equal(state.run!.status, 'stopped');
    assert.equal(state.run!.paused, false, 'a finished run is not paused');
  });

  it('an error without a requestId fails the run, even one that never started', () => {
    const failed = applyEvent(initialState(fixture), runEventOf({ type: 'error', message: 'config.json: codeSize must be positive' }, 'wasm')!);
    assert.equal(failed.run!.status, 'failed');
    assert.equal(failed.run!.error, 'config.json: codeSize must be positive');
    assert.equal(runEventOf({ type: 'error', message: 'no such page', requestId: 4 }, 'wasm'), undefined, 'an error answering a request is no run event');
  });

  it('increments before any state are ignored; a state message replaces everything', () => {
    assert.equal(reduceLabMessage(undefined, { type: 'run', event: started }), undefined);
    const state = initialState(fixture);
    assert.equal(reduceLabMessage(undefined, { type: 'state', state }), state);
    assert.equal(reduceLabMessage(state, { type: 'reply', requestId: 1, result: {} }), state);
  });

  it('events for a run arrive without a run view: progress is ignored until started', () => {
    const state = initialState(fixture);
    const after = applyEvent(state, { type: 'progress', epoch: 1, epochs: 2, batch: 1, batches: 2, samplesPerSecond: 1, etaSeconds: 1, elapsedSeconds: 1 });
    assert.equal(after, state);
  });

  it('run names come from the last path segment on any platform', () => {
    assert.equal(runNameOf('C:\\ws\\.autoencoder-lab\\runs\\20260101-x'), '20260101-x');
    assert.equal(runNameOf('/ws/runs/20260101-y/'), '20260101-y');
  });

  it('maps trainer messages to run events: started carries the backend, replies and ready are none', () => {
    const trainerStarted: FromTrainer = { type: 'started', runDir: started.runDir, dataset: fixture.dataset.summary, graph: started.graph, config: started.config, resumedFromEpoch: 0 };
    assert.deepEqual(runEventOf(trainerStarted, 'wasm'), started);
    assert.equal(runEventOf({ type: 'ready', backend: 'wasm', versions: {}, pid: 1 }, 'wasm'), undefined);
    assert.deepEqual(runEventOf({ type: 'done', runDir: started.runDir, status: 'completed', finalLoss: 0.1 }, 'wasm'), { type: 'done', runDir: started.runDir, status: 'completed' });
  });

  it('the host and a webview that joins late agree: state + increments equals the whole fold', () => {
    // The host folds everything; a webview got a state after the first half and increments after.
    const half = Math.floor(fixture.events.length / 2);
    let host: RunView | undefined;
    for (const event of fixture.events) host = reduceRun(host, event);
    let early: RunView | undefined;
    for (const event of fixture.events.slice(0, half)) early = reduceRun(early, event);
    const late = fold({ ...initialState(fixture), run: early }, fixture.events.slice(half));
    assert.deepEqual(late.run, host);
  });

  it('a resumed run keeps the saved history before the resumed epoch', () => {
    const metrics = (epoch: number) => ({ epoch, loss: 1 / epoch, val_loss: null, seconds: 1, samples_per_second: 10 });
    let live = reduceRun(undefined, started)!;
    live = reduceRun(live, { type: 'batchLoss', steps: [21, 22], losses: [0.2, 0.1] })!;
    live = reduceRun(live, { type: 'epochEnd', metrics: metrics(3) })!;
    const saved: RunView = { ...live, epochs: [metrics(1), metrics(2), metrics(3)], batchSteps: [1, 10, 20, 21], batchLosses: [1, 0.5, 0.3, 0.9] };
    const merged = withHistory(live, saved, 2);
    assert.deepEqual(merged.epochs.map((m) => m.epoch), [1, 2, 3]);
    assert.deepEqual(merged.batchSteps, [1, 10, 20, 21, 22]);
    assert.deepEqual(merged.batchLosses, [1, 0.5, 0.3, 0.2, 0.1]);
  });
});
