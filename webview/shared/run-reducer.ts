import type { LabState, ToLab } from '../../src/protocol/lab-protocol';
import { reduceRun } from '../../src/protocol/run-state';

/**
 * Folds the host's messages into the view state: a `state` replaces it whole, a `run` event goes
 * through the one run reducer the host uses too (src/protocol/run-state.ts). Pure.
 */
export function reduceLabMessage(state: LabState | undefined, message: ToLab): LabState | undefined {
  switch (message.type) {
    case 'state':
      return message.state;
    case 'run': {
      if (!state) return state;
      const run = reduceRun(state.run, message.event);
      if (run === state.run) return state;
      // A started run shows what it trains in the model cell.
      if (message.event.type === 'started') return { ...state, config: run!.config, graph: run!.graph, graphError: undefined, run };
      return { ...state, run };
    }
    default:
      return state;
  }
}
