import * as tf from '@tensorflow/tfjs';
import type { DatasetKind } from '../data/dataset';
import { assemble } from './assemble';
import type { BuiltModel } from './built-model';
import type { ModelConfig } from './config';
import { perSampleReconstructionLoss, reconstructionLoss } from './losses';
import { describeGraph } from './model-graph';
import { NoiseSource } from './noise';

export interface ReconstructionParts {
  config: ModelConfig;
  kind: DatasetKind;
  inputShape: readonly number[];
  /** x -> code; its code layer is named 'code'. */
  encoder: tf.LayersModel;
  /** code -> reconstruction. */
  decoder: tf.LayersModel;
  /** The reconstruction loss, of the training objective and of the per-sample error alike. */
  loss: ModelConfig['loss'];
  /** Corrupts the inputs of a training batch (denoising); targets stay clean. Draws only from `noise`, the model's one seeded source. */
  corrupt?: (x: tf.Tensor, noise: NoiseSource) => tf.Tensor;
  /** A term added to the objective in both modes, from the batch's code (sparse: the L1 activity penalty). */
  penalty?: (code: tf.Tensor, x: tf.Tensor) => tf.Tensor;
  /** The same x -> code -> reconstruction as encoder.apply and decoder.apply, computed directly (dense presets: no layers API per call). */
  forward?: (x: tf.Tensor) => { code: tf.Tensor; reconstruction: tf.Tensor };
}

/**
 * Assembles a plain encoder -> decoder model trained to reconstruct its input: every preset but the VAE
 * (whose encoder has two heads and samples its code). The per-sample error never corrupts or penalizes.
 */
export function assembleReconstruction(parts: ReconstructionParts): BuiltModel {
  const { config, encoder, decoder, corrupt, penalty } = parts;
  const noise = new NoiseSource(config.seed);
  const reconstruct = (x: tf.Tensor, training: boolean) => {
    if (parts.forward) return parts.forward(x);
    const code = encoder.apply(x, { training }) as tf.Tensor;
    return { code, reconstruction: decoder.apply(code, { training }) as tf.Tensor };
  };
  return assemble({
    config,
    kind: parts.kind,
    inputShape: parts.inputShape,
    encoder,
    decoder,
    noise,
    graph: describeGraph({ preset: config.preset, encoder, decoder, codeLayers: ['code'] }),
    loss: (x, training) => {
      const { code, reconstruction } = reconstruct(training && corrupt ? corrupt(x, noise) : x, training);
      const extra = penalty?.(code, x);
      const loss = reconstructionLoss(reconstruction, x, parts.loss);
      return extra ? (tf.add(loss, extra) as tf.Scalar) : loss;
    },
    perSampleError: (x) => perSampleReconstructionLoss(reconstruct(x, false).reconstruction, x, parts.loss),
  });
}
