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
  /**
   * Data-parallel training (src/trainer/parallel/) of a preset whose training loss draws random numbers
   * and is not a plain mean over samples (sequence). Absent: each share's loss is model.loss of its
   * samples, weighted by their count.
   */
  readonly lossShares?: LossShares;
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

/** A batch's random draws, taken once on the main thread: numbers and per-sample arrays (they travel to the gradient worker). */
export type BatchDraws = Record<string, number | Float32Array | Uint8Array | undefined>;

/**
 * The training loss split over shares of a batch with the same maths as the whole batch:
 * loss(x, true) of the batch = Σ share loss × share weight / Σ weights, and so its gradient.
 */
export interface LossShares {
  /** This step's random draws for the whole batch of `count` stored samples (advancing randomDraws as loss(x, true) does). */
  draw(x: ArrayLike<number>, count: number): BatchDraws;
  /** The draws that belong to samples start .. end - 1. */
  slice(draws: BatchDraws, start: number, end: number): BatchDraws;
  /** The training loss of these samples under the given draws (a mean) and what it is a mean over. Call inside tf.tidy. */
  loss(x: tf.Tensor, draws: BatchDraws): { loss: tf.Scalar; weight: number };
}
