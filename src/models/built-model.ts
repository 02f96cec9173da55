import type * as tf from '@tensorflow/tfjs';
import type { DatasetKind } from '../data/dataset';
import type { ModelGraph } from '../protocol/trainer-protocol';
import type { ModelConfig } from './config';
import type { TextCodec } from './seq2seq/text-codec';

/** A model of the zoo, ready to train: its three Keras-style models plus its training objective. */
export interface BuiltModel {
  readonly config: ModelConfig;
  readonly kind: DatasetKind;
  readonly inputShape: readonly number[];
  /** x -> reconstruction (VAE: decodes the mean, no sampling). */
  readonly autoencoder: tf.LayersModel;
  /** x -> code (VAE: the mean of the code distribution). */
  readonly encoder: tf.LayersModel;
  /** code -> reconstruction (text: per-position character probabilities). */
  readonly decoder: tf.LayersModel;
  /**
   * The training objective, a scalar. Call inside tf.tidy (optimizer.minimize does).
   * training=true: denoising corrupts the inputs, the VAE samples its code (both seeded; each call
   * draws fresh noise); sparse adds the L1 penalty on the code, the VAE its KL term in both modes.
   */
  loss(x: tf.Tensor, training: boolean): tf.Scalar;
  /** Reconstruction error of each sample (the loss per sample, without noise or penalties). Call inside tf.tidy. */
  perSampleError(x: tf.Tensor): tf.Tensor1D;
  /** Every trained variable, in a fixed order: pass to optimizer.minimize and to checkpoints. */
  readonly trainableVariables: tf.Variable[];
  /** How many noise draws were taken so far; restored from checkpoints so a resumed run continues the sequence. */
  randomDraws: number;
  /** Text models (sequence preset): lines to codes and codes to lines by greedy decoding. */
  readonly text?: TextCodec;
  /** Layers as boxes for the lab's graph view. */
  readonly graph: ModelGraph;
  dispose(): void;
}
