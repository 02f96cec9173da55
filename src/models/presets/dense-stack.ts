import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from '../config';
import { seededLayerInit } from '../initializers';
import type { SeedSequence } from '../seeds';

/** Input (flattened when it is an image) through the hidden dense layers, outermost first. */
export function denseEncoderTrunk(input: tf.SymbolicTensor, config: ModelConfig, seeds: SeedSequence): tf.SymbolicTensor {
  let x = input;
  if (input.shape.length > 2) x = tf.layers.flatten({ name: 'enc_flatten' }).apply(x) as tf.SymbolicTensor;
  config.hiddenLayers.forEach((units, i) => {
    x = tf.layers.dense({ units, activation: config.activation, name: `enc_dense_${i + 1}`, ...seededLayerInit(seeds) }).apply(x) as tf.SymbolicTensor;
  });
  return x;
}

/** x -> code: the trunk and one dense code layer. */
export function denseEncoder(config: ModelConfig, inputShape: readonly number[], seeds: SeedSequence): tf.LayersModel {
  const input = tf.input({ shape: [...inputShape], name: 'encoder_input' });
  const trunk = denseEncoderTrunk(input, config, seeds);
  const code = tf.layers.dense({ units: config.codeSize, activation: config.activation, name: 'code', ...seededLayerInit(seeds) }).apply(trunk) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: code, name: 'encoder' });
}

/** code -> reconstruction: the hidden layers mirrored, an output layer of every feature, reshaped back to the input's shape. */
export function denseDecoder(config: ModelConfig, inputShape: readonly number[], seeds: SeedSequence): tf.LayersModel {
  const codeInput = tf.input({ shape: [config.codeSize], name: 'decoder_input' });
  let x = codeInput;
  [...config.hiddenLayers].reverse().forEach((units, i) => {
    x = tf.layers.dense({ units, activation: config.activation, name: `dec_dense_${i + 1}`, ...seededLayerInit(seeds) }).apply(x) as tf.SymbolicTensor;
  });
  const features = inputShape.reduce((a, b) => a * b, 1);
  x = tf.layers.dense({ units: features, activation: config.outputActivation, name: 'dec_output', ...seededLayerInit(seeds) }).apply(x) as tf.SymbolicTensor;
  if (inputShape.length > 1) x = tf.layers.reshape({ targetShape: [...inputShape], name: 'dec_reshape' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: codeInput, outputs: x, name: 'decoder' });
}
