import type { RunEvent, RunView } from './lab-protocol';
import type { FromTrainer } from './trainer-protocol';

/**
 * The one fold of a run's events into the run view that every side shows: the extension host keeps
 * its copy with it (sent whole to a webview that (re)loads), and the webviews apply the same events
 * as increments. Pure: never mutates its input, so a view can skip redrawing whatever kept its
 * identity (`prev.epochs === next.epochs`). Imports types only: webviews bundle no zod.
 */

/** The run event a trainer message means, or undefined for replies, `ready` and other non-run messages. */
export function runEventOf(event: FromTrainer, backend: string | undefined, tfjsNode?: string): RunEvent | undefined {
  switch (event.type) {
    case 'started':
      return { type: 'started', runDir: event.runDir, config: event.config, graph: event.graph, backend, ...(tfjsNode ? { tfjsNode } : {}) };
    case 'progress':
    case 'batchLoss':
    case 'epochEnd':
    case 'reconstructions':
    case 'codes':
    case 'anomalies':
    case 'paused':
    case 'resumed':
    case 'notice':
      return event;
    case 'done': {
      // Everything the trainer says of the run's end but its final loss (the epochs have it).
      const { finalLoss: _finalLoss, ...done } = event;
      return done;
    }
    case 'error':
      return event.requestId === undefined ? { type: 'failed', message: event.message } : undefined;
    default:
      return undefined;
  }
}

/** Enough per-batch points for a smooth line; past it the older half is thinned, never dropped. */
export const MAX_BATCH_POINTS = 4000;

/** The last path segment of a run folder: its display name. */
export function runNameOf(runDir: string): string {
  const parts = runDir.split(/[\\/]/).filter((p) => p.length > 0);
  return parts[parts.length - 1] ?? runDir;
}

export function emptyRun(runDir: string, config: Record<string, unknown>, backend?: string): RunView {
  const run: RunView = {
    runDir,
    name: runNameOf(runDir),
    status: 'running',
    paused: false,
    config,
    epochs: [],
    batchSteps: [],
    batchLosses: [],
    reconstructions: [],
  };
  if (backend) run.backend = backend;
  return run;
}

/** Folds one event into the run. `started` begins a new run; other events before it are ignored, except `failed`. */
export function reduceRun(run: RunView | undefined, event: RunEvent): RunView | undefined {
  if (event.type === 'started') {
    const next = emptyRun(event.runDir, event.config, event.backend);
    next.graph = event.graph;
    if (event.tfjsNode) next.tfjsNode = event.tfjsNode;
    return next;
  }
  if (event.type === 'failed') {
    // A run that failed before it started still gets a view, so that every view shows why.
    return { ...(run ?? emptyRun('', {})), status: 'failed', paused: false, error: event.message };
  }
  if (!run) return run;
  switch (event.type) {
    case 'progress': {
      const { type: _type, ...progress } = event;
      return { ...run, progress };
    }
    case 'batchLoss':
      return appendBatchLosses(run, event.steps, event.losses);
    case 'epochEnd':
      return { ...run, epochs: upsertByEpoch(run.epochs, event.metrics) };
    case 'reconstructions':
      return { ...run, reconstructions: upsertByEpoch(run.reconstructions, event.data) };
    case 'codes':
      return { ...run, codes: event.data };
    case 'anomalies':
      return { ...run, anomalies: event.data };
    case 'paused':
      return { ...run, paused: true };
    case 'resumed':
      return { ...run, paused: false };
    case 'notice':
      return { ...run, notices: [...(run.notices ?? []), event.notice] };
    case 'done': {
      // The end's fields (status, and any the protocol adds, such as why it stopped) go on the run.
      const { type: _type, ...end } = event;
      return { ...run, ...end, runDir: end.runDir || run.runDir, paused: false };
    }
  }
}

/**
 * A resumed run continues a curve: its earlier epochs, reconstructions and per-batch losses come
 * from its folder (`saved`), the live ones continue them.
 */
export function withHistory(run: RunView, saved: RunView, resumedFromEpoch: number): RunView {
  const earlier = (epoch: number) => epoch <= resumedFromEpoch;
  const firstLive = run.batchSteps[0] ?? Infinity;
  const keep = saved.batchSteps.findIndex((step) => step >= firstLive);
  const cut = keep < 0 ? saved.batchSteps.length : keep;
  return {
    ...run,
    epochs: [...saved.epochs.filter((m) => earlier(m.epoch)), ...run.epochs.filter((m) => !earlier(m.epoch))],
    reconstructions: [...saved.reconstructions.filter((r) => earlier(r.epoch)), ...run.reconstructions.filter((r) => !earlier(r.epoch))],
    batchSteps: [...saved.batchSteps.slice(0, cut), ...run.batchSteps],
    batchLosses: [...saved.batchLosses.slice(0, cut), ...run.batchLosses],
    codes: run.codes ?? saved.codes,
  };
}

/** Steps arrive in order; any the run has already (an overlapping snapshot) are dropped. */
function appendBatchLosses(run: RunView, steps: readonly number[], losses: readonly number[]): RunView {
  const lastStep = run.batchSteps.length > 0 ? run.batchSteps[run.batchSteps.length - 1] : -Infinity;
  const newSteps: number[] = [];
  const newLosses: number[] = [];
  steps.forEach((step, i) => {
    if (step > lastStep && i < losses.length) {
      newSteps.push(step);
      newLosses.push(losses[i]);
    }
  });
  if (newSteps.length === 0) return run;
  return thinned({ ...run, batchSteps: run.batchSteps.concat(newSteps), batchLosses: run.batchLosses.concat(newLosses) });
}

/** Replaces the entry with the same epoch (a resumed run repeats one) or appends, keeping epoch order. */
function upsertByEpoch<T extends { epoch: number }>(list: readonly T[], item: T): T[] {
  const kept = list.filter((entry) => entry.epoch !== item.epoch);
  kept.push(item);
  kept.sort((a, b) => a.epoch - b.epoch);
  return kept;
}

/**
 * Past the bound, every other point of the older half goes: memory and redraw cost stay bounded
 * on long runs, recent batches keep full detail, and the line keeps its shape.
 */
function thinned(run: RunView): RunView {
  if (run.batchSteps.length <= MAX_BATCH_POINTS) return run;
  const half = Math.floor(run.batchSteps.length / 2);
  const keep = (_: number, i: number) => i >= half || i % 2 === 0;
  return { ...run, batchSteps: run.batchSteps.filter(keep), batchLosses: run.batchLosses.filter(keep) };
}
