import type { DatasetKind } from '../../data/dataset';
import { assembleReconstruction } from '../assemble-reconstruction';
import type { BuiltModel } from '../built-model';
import type { ModelConfig } from '../config';
import { SeedSequence } from '../seeds';
import { denseEncoder, denseDecoder, directDenseForward } from './dense-stack';

/** The textbook autoencoder: input -> hidden -> code -> mirrored hidden -> reconstruction. */
export function buildDense(config: ModelConfig, inputShape: readonly number[], kind: DatasetKind): BuiltModel {
  const seeds = new SeedSequence(config.seed);
  const encoder = denseEncoder(config, inputShape, seeds);
  const decoder = denseDecoder(config, inputShape, seeds);
  return assembleReconstruction({ config, kind, inputShape, encoder, decoder, loss: config.loss, forward: directDenseForward(encoder, decoder, config, inputShape) });
}
