import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from './config';

const EPSILON = 1e-7;

/** Elementwise reconstruction loss (for cce: per position), not yet reduced. */
function elementLoss(reconstruction: tf.Tensor, target: tf.Tensor, loss: ModelConfig['loss']): tf.Tensor {
  switch (loss) {
    case 'mse':
      return tf.squaredDifference(reconstruction, target);
    case 'bce': {
      const p = tf.clipByValue(reconstruction, EPSILON, 1 - EPSILON);
      return tf.neg(tf.add(tf.mul(target, tf.log(p)), tf.mul(tf.sub(1, target), tf.log(tf.sub(1, p)))));
    }
    case 'cce':
      // One-hot targets over the last axis: -log p(true character) at each position.
      return tf.neg(tf.sum(tf.mul(target, tf.log(tf.clipByValue(reconstruction, EPSILON, 1))), -1));
  }
}

/** The mean reconstruction loss over the batch and every feature (cce: every position). */
export function reconstructionLoss(reconstruction: tf.Tensor, target: tf.Tensor, loss: ModelConfig['loss']): tf.Scalar {
  if (loss === 'mse') return tf.mean(tf.squaredDifference(reconstruction, target));
  return tf.mean(elementLoss(reconstruction, target, loss));
}

/** The same loss, one value per sample. */
export function perSampleReconstructionLoss(reconstruction: tf.Tensor, target: tf.Tensor, loss: ModelConfig['loss']): tf.Tensor1D {
  const elements = elementLoss(reconstruction, target, loss);
  const axes = Array.from({ length: elements.rank - 1 }, (_, i) => i + 1);
  return (axes.length === 0 ? elements : tf.mean(elements, axes)) as tf.Tensor1D;
}
