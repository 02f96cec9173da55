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
