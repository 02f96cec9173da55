import { basename } from 'node:path';
import type { RunView } from '../protocol/lab-protocol';
import type { FromTrainer } from '../protocol/trainer-protocol';

/**
 * The host's copy of the running job, kept from the trainer's events so that any webview that
 * (re)loads gets the full picture in one `state` message. Plain data, no vscode: unit tested.
 */

/** Enough per-batch points for a smooth line; older points are thinned, never dropped wholesale. */
const MAX_BATCH_POINTS = 4000;

export function runViewFromStarted(event: Extract<FromTrainer, { type: 'started' }>, backend: string | undefined): RunView {
  return {
    runDir: event.runDir,
    name: basename(event.runDir),
    status: 'running',
    paused: false,
    backend,
    config: event.config,
    graph: event.graph,
    epochs: [],
    batchSteps: [],
    batchLosses: [],
    reconstructions: [],
  };
}

/** Applies one trainer event to the run view (in place) and returns it. */
export function applyTrainerEvent(run: RunView, event: FromTrainer): RunView {
  switch (event.type) {
    case 'progress': {
      const { type: _type, ...progress } = event;
      run.progress = progress;
      break;
    }
    case 'batchLoss':
      run.batchSteps.push(...event.steps);
      run.batchLosses.push(...event.losses);
      if (run.batchSteps.length > MAX_BATCH_POINTS) thinHalf(run);
      break;
    case 'epochEnd':
      // A resumed run may repeat an epoch number: the newest measurement wins.
      run.epochs = run.epochs.filter((metrics) => metrics.epoch !== event.metrics.epoch);
      run.epochs.push(event.metrics);
      break;
    case 'reconstructions':
      run.reconstructions = run.reconstructions.filter((item) => item.epoch !== event.data.epoch);
      run.reconstructions.push(event.data);
      break;
    case 'codes':
      run.codes = event.data;
      break;
    case 'anomalies':
      run.anomalies = event.data;
      break;
    case 'paused':
      run.paused = true;
      break;
    case 'resumed':
      run.paused = false;
      break;
    case 'notice':
      run.notices = [...(run.notices ?? []), event.notice];
      break;
    case 'done':
      run.status = event.status;
      run.paused = false;
      if (event.stopReason) run.stopReason = event.stopReason;
      if (event.bestEpoch !== undefined) run.bestEpoch = event.bestEpoch;
      break;
    case 'error':
      if (event.requestId === undefined) run.error = event.message;
      break;
    default:
      break;
  }
  return run;
}

/** Keeps every other point of the older half, so memory stays bounded on very long runs. */
function thinHalf(run: RunView): void {
  const half = Math.floor(run.batchSteps.length / 2);
  const steps: number[] = [];
  const losses: number[] = [];
  for (let i = 0; i < run.batchSteps.length; i++) {
    if (i < half && i % 2 === 1) continue;
    steps.push(run.batchSteps[i]);
    losses.push(run.batchLosses[i]);
  }
  run.batchSteps = steps;
  run.batchLosses = losses;
}

/** Events that change a run (as opposed to replies to requests and the child's `ready`). */
export function isRunEvent(event: FromTrainer): boolean {
  switch (event.type) {
    case 'started':
    case 'progress':
    case 'batchLoss':
    case 'epochEnd':
    case 'reconstructions':
    case 'codes':
    case 'anomalies':
    case 'notice':
    case 'paused':
    case 'resumed':
    case 'done':
      return true;
    case 'error':
      return event.requestId === undefined;
    default:
      return false;
  }
}
