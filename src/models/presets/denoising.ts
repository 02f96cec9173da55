import * as tf from '@tensorflow/tfjs';
import type { DatasetKind } from '../../data/dataset';
import { assembleReconstruction } from '../assemble-reconstruction';
import type { BuiltModel } from '../built-model';
import type { ModelConfig } from '../config';
import type { NoiseSource } from '../noise';
import { presetDefaults } from '../preset-defaults';
import { SeedSequence } from '../seeds';
import { denseDecoder, denseEncoder, directDenseForward } from './dense-stack';

/** A dense autoencoder trained to restore clean inputs from corrupted ones (noise on inputs only, never on targets). */
export function buildDenoising(config: ModelConfig, inputShape: readonly number[], kind: DatasetKind): BuiltModel {
  const seeds = new SeedSequence(config.seed);
  const encoder = denseEncoder(config, inputShape, seeds);
  const decoder = denseDecoder(config, inputShape, seeds);
  // A parsed config has the preset's noise; a hand-made one gets the same default, from one place.
  const { kind: noiseKind, level } = config.noise ?? presetDefaults('denoising', kind).noise!;
  const corrupt = (x: tf.Tensor, noise: NoiseSource): tf.Tensor => {
    if (noiseKind === 'masking') {
      // Zero a fraction `level` of the features of every sample.
      return tf.mul(x, tf.greaterEqual(noise.uniform(x.shape), level).toFloat());
    }
    const noisy = tf.add(x, noise.normal(x.shape, level));
    // Images live in [0, 1]; keep corrupted pixels there too.
    return kind === 'image' ? tf.clipByValue(noisy, 0, 1) : noisy;
  };
  return assembleReconstruction({ config, kind, inputShape, encoder, decoder, loss: config.loss, forward: directDenseForward(encoder, decoder, config, inputShape), corrupt });
}
