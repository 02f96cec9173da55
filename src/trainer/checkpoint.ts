import type * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { BuiltModel } from '../models/built-model';
import { loadWeights, saveWeights } from '../models/persist';

/**
 * A run's checkpoint of its last finished epoch, enough to continue exactly where it stopped.
 * The weights, the optimizer's state (Adam's moments and step count) and the model's noise position
 * are written by the model zoo's saveWeights (checkpoint/checkpoint.json + weights-*.bin, replaced
 * atomically). Added here: the epoch and the random state of the loop. The shuffle of epoch e is
 * drawn from a generator seeded by (seed, e) alone, so that state is the seed and the next epoch.
 */

export interface CheckpointMetadata {
  /** Epochs finished (1-based count). */
  epoch: number;
  seed: number;
  /** The epoch whose shuffle comes next (= epoch). */
  nextEpoch: number;
  savedAt: string;
}

export async function saveCheckpoint(checkpointDir: string, built: BuiltModel, optimizer: tf.Optimizer, epoch: number, seed: number): Promise<void> {
  const metadata: CheckpointMetadata = { epoch, seed, nextEpoch: epoch, savedAt: new Date().toISOString() };
  await saveWeights(built, optimizer, checkpointDir, { ...metadata });
}

/** Restores weights, optimizer and noise position; returns the checkpoint's epoch and random state. */
export async function loadCheckpoint(checkpointDir: string, built: BuiltModel, optimizer: tf.Optimizer): Promise<CheckpointMetadata> {
  if (!existsSync(join(checkpointDir, 'checkpoint.json'))) {
    throw new Error(`${dirname(checkpointDir)}: cannot resume, the run has no checkpoint (it did not finish an epoch)`);
  }
  const metadata = await loadWeights(built, optimizer, checkpointDir);
  if (typeof metadata.epoch !== 'number' || typeof metadata.seed !== 'number') {
    throw new Error(`${checkpointDir}: the checkpoint does not say which epoch it was written after`);
  }
  return metadata as unknown as CheckpointMetadata;
}
