import * as tf from '@tensorflow/tfjs';
import type { DatasetKind } from '../data/dataset';
import type { ModelGraph } from '../protocol/trainer-protocol';
import type { BuiltModel, LossShares } from './built-model';
import type { ModelConfig } from './config';
import type { NoiseSource } from './noise';
import type { TextCodec } from './seq2seq/text-codec';

export interface ModelParts {
  config: ModelConfig;
  kind: DatasetKind;
  inputShape: readonly number[];
  encoder: tf.LayersModel;
  decoder: tf.LayersModel;
  /** The joined model when it is not simply decoder(encoder(x)) (sequence: the decoder also reads the previous characters). */
  autoencoder?: tf.LayersModel;
  /** Text models: lines to codes and back by greedy decoding. */
  text?: TextCodec;
  /** Models whose weights are trained, if more than encoder + decoder (VAE: the encoder with its log-variance head). */
  trainedModels?: tf.LayersModel[];
  graph: ModelGraph;
  noise: NoiseSource;
  loss(x: tf.Tensor, training: boolean): tf.Scalar;
  perSampleError(x: tf.Tensor): tf.Tensor1D;
  lossShares?: LossShares;
}

/** Joins encoder and decoder into the autoencoder and wraps everything as a BuiltModel. */
export function assemble(parts: ModelParts): BuiltModel {
  const autoencoder = parts.autoencoder ?? joinedModel(parts);
  const trainedModels = parts.trainedModels ?? [parts.encoder, parts.decoder];
  const seen = new Set<string>();
  const trainableVariables: tf.Variable[] = [];
  for (const model of trainedModels) {
    for (const weight of model.trainableWeights) {
      // LayerVariable.read() returns the tf.Variable that holds the weight.
      const variable = weight.read() as tf.Variable;
      if (seen.has(variable.name)) continue;
      seen.add(variable.name);
      trainableVariables.push(variable);
    }
  }
  const noise = parts.noise;
  let disposed = false;
  return {
    config: parts.config,
    kind: parts.kind,
    inputShape: parts.inputShape,
    autoencoder,
    encoder: parts.encoder,
    decoder: parts.decoder,
    loss: parts.loss,
    perSampleError: parts.perSampleError,
    lossShares: parts.lossShares,
    trainableVariables,
    get randomDraws() {
      return noise.draws;
    },
    set randomDraws(value: number) {
      noise.draws = value;
    },
    graph: parts.graph,
    text: parts.text,
    dispose() {
      if (disposed) return;
      disposed = true;
      // Layers are shared between the models: free each weight once, directly.
      const weights = new Set([autoencoder, ...trainedModels].flatMap((model) => model.weights));
      for (const weight of weights) weight.dispose();
    },
  };
}

function joinedModel(parts: ModelParts): tf.LayersModel {
  const input = tf.input({ shape: [...parts.inputShape], name: 'autoencoder_input' });
  const code = parts.encoder.apply(input) as tf.SymbolicTensor;
  const output = parts.decoder.apply(code) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: 'autoencoder' });
}
