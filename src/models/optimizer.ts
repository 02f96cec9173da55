import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from './config';
import { FusedAdam } from './fused-adam';

/** The config's optimizer at its learning rate (Keras's default betas/decay otherwise). Adam is tf.train.adam's maths in fewer kernels. */
export function createOptimizer(config: Pick<ModelConfig, 'optimizer' | 'learningRate'>): tf.Optimizer {
  switch (config.optimizer) {
    case 'adam':
      return new FusedAdam(config.learningRate);
    case 'sgd':
      return tf.train.sgd(config.learningRate);
    case 'rmsprop':
      return tf.train.rmsprop(config.learningRate);
  }
}

/**
 * Sets the rate of the next steps (a schedule). tfjs's SGD has a setter; RMSProp reads its protected
 * field at every step, so writing it is what a setter would do.
 */
export function setLearningRate(optimizer: tf.Optimizer, rate: number): void {
  const settable = optimizer as tf.Optimizer & { setLearningRate?: (rate: number) => void; learningRate?: number };
  if (typeof settable.setLearningRate === 'function') settable.setLearningRate(rate);
  else if (typeof settable.learningRate === 'number') settable.learningRate = rate;
  else throw new Error(`${optimizer.getClassName()}: its learning rate cannot be scheduled`);
}
