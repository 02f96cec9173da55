import type { DatasetKind } from '../data/dataset';
import type { BuiltModel } from './built-model';
import type { ModelConfig, Preset } from './config';
import { buildConv } from './presets/conv';
import { buildDeep } from './presets/deep';
import { buildDenoising } from './presets/denoising';
import { buildDense } from './presets/dense';
import { buildSequence } from './presets/sequence';
import { buildSparse } from './presets/sparse';
import { buildVae } from './presets/vae';

const BUILDERS: Record<Preset, (config: ModelConfig, inputShape: readonly number[], kind: DatasetKind, vocabularySize?: number) => BuiltModel> = {
  dense: buildDense,
  deep: buildDeep,
  conv: buildConv,
  denoising: buildDenoising,
  sparse: buildSparse,
  vae: buildVae,
  sequence: buildSequence,
};

/**
 * Builds the model of a config returned by parseModelConfig (which checked it against this data).
 * Uses the active tfjs backend: call initBackend first. Text needs the size of its vocabulary.
 */
export function buildModel(config: ModelConfig, inputShape: readonly number[], kind: DatasetKind, vocabularySize?: number): BuiltModel {
  return BUILDERS[config.preset](config, inputShape, kind, vocabularySize);
}
