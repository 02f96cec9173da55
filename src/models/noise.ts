import * as tf from '@tensorflow/tfjs';
import { mixSeed } from './seeds';

/**
 * Seeded random draws for training-time noise (denoising corruption, VAE sampling). Each draw has
 * its own seed derived from (seed, draw number), so a run is reproducible and batches differ.
 */
export class NoiseSource {
  draws = 0;
  constructor(private readonly seed: number) {}

  normal(shape: number[], stddev = 1): tf.Tensor {
    return tf.randomNormal(shape, 0, stddev, 'float32', mixSeed(this.seed, this.draws++));
  }

  uniform(shape: number[]): tf.Tensor {
    return tf.randomUniform(shape, 0, 1, 'float32', mixSeed(this.seed, this.draws++));
  }
}
