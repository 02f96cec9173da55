import { availableParallelism } from 'node:os';
import type { Preset } from '../../models/config';
import { DATA_PARALLEL_PRESETS } from './data-parallel-step';

/**
 * How many training threads a run uses: what the user set (1 or 2), or, for `auto` (the default), two
 * where two were measured faster than one on that backend and the machine has a second core.
 */

/**
 * Presets that `auto` trains on two threads, per backend (measured by `npm run bench`, bench/README.md):
 * wasm conv 1.74× one thread. wasm dense is slower on two (0.78×: the per-step weight copies outweigh the
 * split), and tensorflow conv too (0.63×, 6,400 samples: libtensorflow already uses every core).
 */
export const AUTO_TWO_THREAD_PRESETS: Readonly<Record<string, readonly Preset[]>> = {
  wasm: ['conv'],
};

export interface ThreadsQuestion {
  preset: Preset;
  /** The config's `threads`: 1 or 2 as set by the user, `auto` otherwise. */
  requested: number | 'auto';
  /** The backend the trainer runs on (`wasm`, `tensorflow`, `cpu`). */
  backend: string;
  /** Cores this process may use (default: os.availableParallelism()). */
  cores?: number;
}

export interface ThreadsAnswer {
  threads: 1 | 2;
  /** Why one thread where two were asked for (printed on stderr by the trainer); undefined otherwise. */
  note?: string;
}

export function resolveTrainingThreads(question: ThreadsQuestion): ThreadsAnswer {
  const { preset, requested, backend } = question;
  if (requested === 'auto') {
    const cores = question.cores ?? availableParallelism();
    const wins = AUTO_TWO_THREAD_PRESETS[backend]?.includes(preset) ?? false;
    return { threads: wins && cores >= 2 ? 2 : 1 };
  }
  if (requested < 2) return { threads: 1 };
  if (!DATA_PARALLEL_PRESETS.includes(preset)) {
    return { threads: 1, note: `${preset} draws random numbers in each half of its loss, training on one thread (two threads: ${DATA_PARALLEL_PRESETS.join(', ')})` };
  }
  return { threads: 2 };
}
