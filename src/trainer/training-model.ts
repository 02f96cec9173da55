import type * as tf from '@tensorflow/tfjs';

/**
 * What the training loop needs of a model, whatever the preset: the loss to minimize on a batch
 * (with the preset's noise, KL term or sparsity penalty), the per-sample error used for the
 * validation loss and the anomalies, reconstructions and codes. Built from the model zoo's
 * BuiltModel by `trainingModelFrom` (src/trainer/built-model-adapter.ts).
 * Every function here is called inside tf.tidy by the loop.
 */
export interface TrainingModel {
  /** Holds every weight (encoder and decoder share its layers): checkpoints save this. */
  readonly autoencoder: tf.LayersModel;
  /** The scalar training loss of one batch (training mode: noise, sampling, penalties). */
  trainingLoss(inputs: tf.Tensor): tf.Scalar;
  /** One error per sample, in inference mode; its mean is the validation loss. */
  perSampleError(inputs: tf.Tensor): tf.Tensor1D;
  /** The reconstruction of each sample, in the input's shape and scale. */
  reconstruct(inputs: tf.Tensor): tf.Tensor;
  /** The code of each sample, flattened to [batch, codeSize] (a VAE gives its mean). */
  encode(inputs: tf.Tensor): tf.Tensor2D;
}
