import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from './config';

/** The config's optimizer at its learning rate (Keras's default betas/decay otherwise). */
export function createOptimizer(config: Pick<ModelConfig, 'optimizer' | 'learningRate'>): tf.Optimizer {
  switch (config.optimizer) {
    case 'adam':
      return tf.train.adam(config.learningRate);
    case 'sgd':
      return tf.train.sgd(config.learningRate);
    case 'rmsprop':
      return tf.train.rmsprop(config.learningRate);
  }
}
