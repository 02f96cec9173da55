import * as tf from '@tensorflow/tfjs';
import type { DatasetKind } from '../../data/dataset';
import { assembleReconstruction } from '../assemble-reconstruction';
import type { BuiltModel } from '../built-model';
import type { ModelConfig } from '../config';
import { presetDefaults } from '../preset-defaults';
import { SeedSequence } from '../seeds';
import { denseDecoder, denseEncoder, directDenseForward } from './dense-stack';

/**
 * A dense autoencoder with an L1 activity penalty on the code, which pushes most code units to zero
 * for any one input. Like Keras's activity_regularizer: sparsity * sum |code|, averaged over the batch.
 */
export function buildSparse(config: ModelConfig, inputShape: readonly number[], kind: DatasetKind): BuiltModel {
  const seeds = new SeedSequence(config.seed);
  const encoder = denseEncoder(config, inputShape, seeds);
  const decoder = denseDecoder(config, inputShape, seeds);
  const sparsity = config.sparsity ?? presetDefaults('sparse', kind).sparsity!;
  const penalty = (code: tf.Tensor, x: tf.Tensor) => tf.mul(sparsity / x.shape[0], tf.sum(tf.abs(code)));
  return assembleReconstruction({ config, kind, inputShape, encoder, decoder, loss: config.loss, forward: directDenseForward(encoder, decoder, config, inputShape), penalty });
}
