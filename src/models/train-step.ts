import * as tf from '@tensorflow/tfjs';
import type { BuiltModel } from './built-model';

/**
 * One optimizer step on a batch; returns the batch loss (the caller disposes it, reads it when it
 * needs to: reading every batch stalls the pipeline). Passing the model's own variables matters:
 * without a list, minimize would differentiate every variable alive in the process.
 */
export function trainStep(built: BuiltModel, optimizer: tf.Optimizer, batch: tf.Tensor): tf.Scalar {
  const loss = optimizer.minimize(() => built.loss(batch, true), true, built.trainableVariables);
  if (!loss) throw new Error('optimizer.minimize returned no loss');
  return loss;
}
