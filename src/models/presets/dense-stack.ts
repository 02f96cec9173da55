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

/** One Dense layer as the direct forward pass reads it: the layer's own variables and activation. */
export interface DenseStep {
  kernel: tf.Variable;
  bias: tf.Variable;
  activation: ModelConfig['outputActivation'];
}

/**
 * x -> { code, reconstruction } for a dense encoder and decoder built above, written directly with tf
 * ops on the layers' own variables: the same maths as encoder.apply and decoder.apply (fused matMul,
 * bias and relu/linear as tfjs-layers' Dense does), without tfjs-layers' per-call bookkeeping (graph
 * execution, input checks, name scopes, Identity copies), which cost about a fifth of a dense step.
 * Checkpoints, best weights and saved models see no difference: the weights are the layers' variables.
 */
export function directDenseForward(encoder: tf.LayersModel, decoder: tf.LayersModel, config: ModelConfig, inputShape: readonly number[]) {
  const { encoderSteps, decoderSteps } = denseSteps(encoder, decoder, config);
  const features = inputShape.reduce((a, b) => a * b, 1);
  return (x: tf.Tensor) => {
    const code = encoderSteps.reduce((h, step) => dense(h, step), x.reshape([x.shape[0], features]));
    const flat = decoderSteps.reduce((h, step) => dense(h, step), code);
    return { code, reconstruction: inputShape.length > 1 ? flat.reshape([x.shape[0], ...inputShape]) : flat };
  };
}

/** The Dense layers of a dense encoder and decoder, input side first, with their variables and activations. */
export function denseSteps(encoder: tf.LayersModel, decoder: tf.LayersModel, config: Pick<ModelConfig, 'hiddenLayers' | 'activation' | 'outputActivation'>) {
  const steps = (model: tf.LayersModel, activations: Array<ModelConfig['outputActivation']>): DenseStep[] => {
    const dense = model.layers.filter((layer) => layer.getClassName() === 'Dense');
    if (dense.length !== activations.length) throw new Error(`${model.name}: expected ${activations.length} Dense layers, found ${dense.length}`);
    return dense.map((layer, i) => {
      const [kernel, bias] = layer.trainableWeights.map((weight) => weight.read() as tf.Variable);
      return { kernel, bias, activation: activations[i] };
    });
  };
  return {
    encoderSteps: steps(encoder, [...config.hiddenLayers.map(() => config.activation), config.activation]),
    decoderSteps: steps(decoder, [...config.hiddenLayers.map(() => config.activation), config.outputActivation]),
  };
}

/** Activations tfjs fuses into the matMul kernel with a gradient (tfjs-layers fuses these too). */
const FUSED: ReadonlySet<string> = new Set(['relu', 'linear']);

function dense(input: tf.Tensor, { kernel, bias, activation }: DenseStep): tf.Tensor {
  if (FUSED.has(activation)) return tf.fused.matMul({ a: input as tf.Tensor2D, b: kernel as tf.Tensor2D, bias, activation: activation as 'relu' | 'linear' });
  const linear = tf.fused.matMul({ a: input as tf.Tensor2D, b: kernel as tf.Tensor2D, bias });
  switch (activation) {
    case 'elu':
      return tf.elu(linear);
    case 'selu':
      return tf.selu(linear);
    case 'tanh':
      return tf.tanh(linear);
    case 'sigmoid':
      return tf.sigmoid(linear);
    case 'softmax':
      return tf.softmax(linear);
    default:
      throw new Error(`dense layer: unknown activation ${activation}`);
  }
}
