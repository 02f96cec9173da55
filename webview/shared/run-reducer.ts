import type { LabState, RunView, ToLab } from '../../src/protocol/lab-protocol';
import type { FromTrainer } from '../../src/protocol/trainer-protocol';

/**
 * The webview's model: the host's state plus the trainer's backend, which `ready` announces
 * before any run exists (the run view that `started` makes then carries it).
 */
export type LabModel = LabState & { trainerBackend?: string; trainerTfjsNode?: string };

/**
 * Folds the host's messages into the view state. Pure: never mutates its input, so views can
 * skip redrawing whatever kept its identity (`prev.run.epochs === next.run.epochs`).
 */
export function reduceLabMessage(state: LabModel | undefined, message: ToLab): LabModel | undefined {
  switch (message.type) {
    case 'state':
      return message.state;
    case 'trainer':
      return state ? reduceTrainerEvent(state, message.event) : state;
    default:
      return state;
  }
}

/** The last path segment of a run folder: its display name. */
export function runNameOf(runDir: string): string {
  const parts = runDir.split(/[\\/]/).filter((p) => p.length > 0);
  return parts[parts.length - 1] ?? runDir;
}

function emptyRun(runDir: string, config: Record<string, unknown>): RunView {
  return {
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
}

function withRun(state: LabModel, update: (run: RunView) => RunView): LabModel {
  if (!state.run) return state;
  return { ...state, run: update(state.run) };
}

/** Replaces the entry with the same epoch (a resumed run repeats one) or appends, keeping epoch order. */
function upsertByEpoch<T extends { epoch: number }>(list: readonly T[], item: T): T[] {
  const kept = list.filter((entry) => entry.epoch !== item.epoch);
  kept.push(item);
  kept.sort((a, b) => a.epoch - b.epoch);
  return kept;
}

/** Enough per-batch points for a smooth line (the host keeps the same bound). */
export const MAX_BATCH_POINTS = 4000;

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

export function reduceTrainerEvent(state: LabModel, event: FromTrainer): LabModel {
  switch (event.type) {
    case 'ready': {
      const next = { ...state, trainerBackend: event.backend, trainerTfjsNode: event.tfjsNode };
      return withRun(next, (run) => ({ ...run, backend: event.backend, tfjsNode: event.tfjsNode }));
    }
    case 'started': {
      const previous = state.run;
      const run = emptyRun(event.runDir, event.config);
      run.graph = event.graph;
      // The backend is announced by `ready`, before `started`, or came with the state.
      const backend = state.trainerBackend ?? previous?.backend;
      if (backend) run.backend = backend;
      const tfjsNode = state.trainerBackend ? state.trainerTfjsNode : previous?.tfjsNode;
      if (tfjsNode) run.tfjsNode = tfjsNode;
      return { ...state, config: event.config, graph: event.graph, graphError: undefined, run };
    }
    case 'progress': {
      const { type: _type, ...progress } = event;
      return withRun(state, (run) => ({
        ...run,
        progress,
      }));
    }
    case 'batchLoss':
      return withRun(state, (run) => {
        // Steps arrive in order; drop any the view has already (a re-sent snapshot overlaps).
        const lastStep = run.batchSteps.length > 0 ? run.batchSteps[run.batchSteps.length - 1] : -Infinity;
        const steps: number[] = [];
        const losses: number[] = [];
        event.steps.forEach((step, i) => {
          if (step > lastStep && i < event.losses.length) {
            steps.push(step);
            losses.push(event.losses[i]);
          }
        });
        if (steps.length === 0) return run;
        return thinned({ ...run, batchSteps: run.batchSteps.concat(steps), batchLosses: run.batchLosses.concat(losses) });
      });
    case 'epochEnd':
      return withRun(state, (run) => ({ ...run, epochs: upsertByEpoch(run.epochs, event.metrics) }));
    case 'reconstructions':
      return withRun(state, (run) => ({ ...run, reconstructions: upsertByEpoch(run.reconstructions, event.data) }));
    case 'codes':
      return withRun(state, (run) => ({ ...run, codes: event.data }));
    case 'anomalies':
      return withRun(state, (run) => ({ ...run, anomalies: event.data }));
    case 'paused':
      return withRun(state, (run) => ({ ...run, paused: true }));
    case 'resumed':
      return withRun(state, (run) => ({ ...run, paused: false }));
    case 'notice':
      return withRun(state, (run) => ({ ...run, notices: [...(run.notices ?? []), event.notice] }));
    case 'done':
      return withRun(state, (run) => ({
        ...run,
        runDir: event.runDir || run.runDir,
        status: event.status,
        paused: false,
        ...(event.stopReason ? { stopReason: event.stopReason } : {}),
        ...(event.bestEpoch !== undefined ? { bestEpoch: event.bestEpoch } : {}),
      }));
    case 'error': {
      // An error with a requestId answers a request (the host turns it into a reply); without one,
      // the run failed — possibly before `started`, so a failed run view is made to show it.
      if (event.requestId !== undefined) return state;
      const run = state.run ?? emptyRun('', state.config);
      return { ...state, run: { ...run, status: 'failed', paused: false, error: event.message } };
    }
    case 'described':
      return { ...state, graph: event.graph, graphError: undefined };
    case 'inspected':
    case 'generated':
      return state;
  }
}
