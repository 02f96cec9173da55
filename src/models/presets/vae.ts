import * as tf from '@tensorflow/tfjs';
import type { DatasetKind } from '../../data/dataset';
import { assemble } from '../assemble';
import type { BuiltModel } from '../built-model';
import type { ModelConfig } from '../config';
import { seededLayerInit } from '../initializers';
import { perSampleReconstructionLoss, reconstructionLoss } from '../losses';
import { describeGraph } from '../model-graph';
import { NoiseSource } from '../noise';
import { SeedSequence } from '../seeds';
import { denseDecoder, denseEncoderTrunk } from './dense-stack';

/**
 * The variational autoencoder: the encoder gives the mean and log-variance of a Gaussian code,
 * training decodes a sample z = mean + exp(logVar / 2) * eps (reparameterization: eps ~ N(0, 1) is
 * the only randomness, so gradients flow through mean and logVar), and the loss adds the KL divergence
 * from N(0, 1). The sampling is not a layer: the saved encoder maps x to the mean, the decoder z to x.
 *
 * Loss scale: reconstruction is the mean over features (as for every preset) and the KL term is divided
 * by the number of features, i.e. Keras's (features * reconstruction + KL) divided by features.
 */
export function buildVae(config: ModelConfig, inputShape: readonly number[], kind: DatasetKind): BuiltModel {
  const seeds = new SeedSequence(config.seed);
  const input = tf.input({ shape: [...inputShape], name: 'encoder_input' });
  const trunk = denseEncoderTrunk(input, config, seeds);
  const mean = tf.layers.dense({ units: config.codeSize, name: 'code_mean', ...seededLayerInit(seeds) }).apply(trunk) as tf.SymbolicTensor;
  const logVar = tf.layers.dense({ units: config.codeSize, name: 'code_log_var', ...seededLayerInit(seeds) }).apply(trunk) as tf.SymbolicTensor;
  const encoderStats = tf.model({ inputs: input, outputs: [mean, logVar], name: 'encoder_stats' });
  const encoder = tf.model({ inputs: input, outputs: mean, name: 'encoder' });
  const decoder = denseDecoder(config, inputShape, seeds);
  const noise = new NoiseSource(config.seed);
  const features = inputShape.reduce((a, b) => a * b, 1);
  const klScale = config.klWeight / features;
  return assemble({
    config,
    kind,
    inputShape,
    encoder,
    decoder,
    trainedModels: [encoderStats, decoder],
    noise,
    graph: describeGraph({
      preset: config.preset,
      encoder: encoderStats,
      decoder,
      codeLayers: ['code_mean', 'code_log_var'],
      extraCodeSteps: [{ name: 'sampling', className: 'Sampling', outputShape: [null, config.codeSize], params: 0, group: 'code' }],
    }),
    loss: (x, training) => {
      const [mu, logVariance] = encoderStats.apply(x, { training }) as tf.Tensor[];
      const z = training ? tf.add(mu, tf.mul(tf.exp(tf.mul(0.5, logVariance)), noise.normal(mu.shape))) : mu;
      const reconstruction = decoder.apply(z, { training }) as tf.Tensor;
      // KL(N(mu, sigma^2) || N(0, 1)) per sample = -0.5 * sum(1 + logVar - mu^2 - exp(logVar)); mean over the batch.
      const kl = tf.mul(-0.5 / x.shape[0], tf.sum(tf.sub(tf.add(1, logVariance), tf.add(tf.square(mu), tf.exp(logVariance)))));
      return tf.add(reconstructionLoss(reconstruction, x, config.loss), tf.mul(klScale, kl)) as tf.Scalar;
    },
    perSampleError: (x) => perSampleReconstructionLoss(decoder.apply(encoder.apply(x)) as tf.Tensor, x, config.loss),
  });
}
