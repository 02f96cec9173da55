import * as tf from '@tensorflow/tfjs';
import type { BuiltModel } from '../../../src/models/built-model';

/**
 * The tests' plain training step (the trainer's loop has its own): one optimizer step on a batch;
 * returns the batch loss, which the caller disposes. Passing the model's own variables matters:
 * without a list, minimize would differentiate every variable alive in the process.
 */
export function trainStep(built: BuiltModel, optimizer: tf.Optimizer, batch: tf.Tensor): tf.Scalar {
  const loss = optimizer.minimize(() => built.loss(batch, true), true, built.trainableVariables);
  if (!loss) throw new Error('optimizer.minimize returned no loss');
  return loss;
}
