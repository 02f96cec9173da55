import type * as tf from '@tensorflow/tfjs';
import type { DatasetKind } from '../../data/dataset';
import { assemble } from '../assemble';
import type { BuiltModel } from '../built-model';
import type { ModelConfig } from '../config';
import { perSampleReconstructionLoss, reconstructionLoss } from '../losses';
import { describeGraph } from '../model-graph';
import { NoiseSource } from '../noise';
import { SeedSequence } from '../seeds';
import { denseEncoder, denseDecoder } from './dense-stack';

/** The textbook autoencoder: input -> hidden -> code -> mirrored hidden -> reconstruction. */
export function buildDense(config: ModelConfig, inputShape: readonly number[], kind: DatasetKind): BuiltModel {
  const seeds = new SeedSequence(config.seed);
  const encoder = denseEncoder(config, inputShape, seeds);
  const decoder = denseDecoder(config, inputShape, seeds);
  const reconstruct = (x: tf.Tensor, training: boolean) =>
    decoder.apply(encoder.apply(x, { training }), { training }) as tf.Tensor;
  return assemble({
    config,
    kind,
    inputShape,
    encoder,
    decoder,
    noise: new NoiseSource(config.seed),
    graph: describeGraph({ preset: config.preset, encoder, decoder, codeLayers: ['code'] }),
    loss: (x, training) => reconstructionLoss(reconstruct(x, training), x, config.loss),
    perSampleError: (x) => perSampleReconstructionLoss(reconstruct(x, false), x, config.loss),
  });
}
