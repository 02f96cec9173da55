import type { DatasetKind } from '../../data/dataset';
import type { BuiltModel } from '../built-model';
import type { ModelConfig } from '../config';
import { buildDense } from './dense';

/**
 * The deep autoencoder: the dense architecture with more hidden layers (default 512-256-128, code 32,
 * set in preset-defaults) and the mirrored decoder; its build is the dense one.
 */
export function buildDeep(config: ModelConfig, inputShape: readonly number[], kind: DatasetKind): BuiltModel {
  return buildDense(config, inputShape, kind);
}
