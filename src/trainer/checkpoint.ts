import type * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { BuiltModel } from '../models/built-model';
import { loadWeights, saveWeights } from '../models/persist';
import type { EarlyStoppingState } from './loop/early-stopping';

/**
 * A run's checkpoint of a finished epoch, enough to continue exactly where it stopped.
 * The weights, the optimizer's state (Adam's moments and step count), the model's noise position and
 * the best epoch's weights are written by the model zoo's saveWeights (checkpoint/checkpoint.json +
 * weights-*.bin, replaced atomically). Added here: the epoch, the early-stopping state and the
 * training time so far. The shuffle of epoch e is drawn from a generator seeded by (seed, e) alone,
 * so the loop's random state is the seed and the next epoch.
 */

export interface CheckpointMetadata {
  /** Epochs finished (1-based count). */
  epoch: number;
  seed: number;
  /** The epoch whose shuffle comes next (= epoch). */
  nextEpoch: number;
  savedAt: string;
  /** Absent in checkpoints written before automatic epochs. */
  stopping?: EarlyStoppingState;
  trainingSeconds?: number;
}

export interface SavedProgress {
  epoch: number;
  seed: number;
  stopping: EarlyStoppingState;
  trainingSeconds: number;
  best?: readonly tf.Tensor[];
}

export async function saveCheckpoint(checkpointDir: string, built: BuiltModel, optimizer: tf.Optimizer, progress: SavedProgress): Promise<void> {
  const metadata: CheckpointMetadata = {
    epoch: progress.epoch,
    seed: progress.seed,
    nextEpoch: progress.epoch,
    savedAt: new Date().toISOString(),
    stopping: progress.stopping,
    trainingSeconds: progress.trainingSeconds,
  };
  await saveWeights(built, optimizer, checkpointDir, { ...metadata }, progress.best);
}

/** Restores weights, optimizer and noise position; returns the checkpoint's metadata and best weights. */
export async function loadCheckpoint(
  checkpointDir: string,
  built: BuiltModel,
  optimizer: tf.Optimizer,
): Promise<CheckpointMetadata & { best?: tf.Tensor[] }> {
  if (!existsSync(join(checkpointDir, 'checkpoint.json'))) {
    throw new Error(`${dirname(checkpointDir)}: cannot resume, the run has no checkpoint (it did not finish an epoch)`);
  }
  const { metadata, best } = await loadWeights(built, optimizer, checkpointDir);
  if (typeof metadata.epoch !== 'number' || typeof metadata.seed !== 'number') {
    throw new Error(`${checkpointDir}: the checkpoint does not say which epoch it was written after`);
  }
  return { ...(metadata as unknown as CheckpointMetadata), best };
}
