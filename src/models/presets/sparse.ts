import * as tf from '@tensorflow/tfjs';
import type { DatasetKind } from '../../data/dataset';
import { assemble } from '../assemble';
import type { BuiltModel } from '../built-model';
import type { ModelConfig } from '../config';
import { perSampleReconstructionLoss, reconstructionLoss } from '../losses';
import { describeGraph } from '../model-graph';
import { NoiseSource } from '../noise';
import { SeedSequence } from '../seeds';
import { denseDecoder, denseEncoder } from './dense-stack';

/**
 * A dense autoencoder with an L1 activity penalty on the code, which pushes most code units to zero
 * for any one input. Like Keras's activity_regularizer: sparsity * sum |code|, averaged over the batch.
 */
export function buildSparse(config: ModelConfig, inputShape: readonly number[], kind: DatasetKind): BuiltModel {
  const seeds = new SeedSequence(config.seed);
  const encoder = denseEncoder(config, inputShape, seeds);
  const decoder = denseDecoder(config, inputShape, seeds);
  const sparsity = config.sparsity ?? 1e-4;
  return assemble({
    config,
    kind,
    inputShape,
    encoder,
    decoder,
    noise: new NoiseSource(config.seed),
    graph: describeGraph({ preset: config.preset, encoder, decoder, codeLayers: ['code'] }),
    loss: (x, training) => {
      const code = encoder.apply(x, { training }) as tf.Tensor;
      const reconstruction = decoder.apply(code, { training }) as tf.Tensor;
      const penalty = tf.mul(sparsity / x.shape[0], tf.sum(tf.abs(code)));
      return tf.add(reconstructionLoss(reconstruction, x, config.loss), penalty) as tf.Scalar;
    },
    perSampleError: (x) => perSampleReconstructionLoss(decoder.apply(encoder.apply(x)) as tf.Tensor, x, config.loss),
  });
}
