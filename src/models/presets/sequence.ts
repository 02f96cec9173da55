import * as tf from '@tensorflow/tfjs';
import type { DatasetKind } from '../../data/dataset';
import { assembleReconstruction } from '../assemble-reconstruction';
import type { BuiltModel } from '../built-model';
import type { ModelConfig } from '../config';
import { orthogonalMatrix, seededLayerInit } from '../initializers';
import { SeedSequence } from '../seeds';

/**
 * The character-level sequence autoencoder for text: one-hot characters [length, vocabulary] ->
 * GRU/LSTM -> dense code -> RepeatVector(length) -> GRU/LSTM (every step) -> softmax over the
 * vocabulary at each position, trained with categorical cross-entropy. One-hot inputs instead of an
 * Embedding keep every gradient kernel available on wasm. The output Dense acts on each time step
 * (Keras's TimeDistributed(Dense)) with one matrix product instead of a loop over steps.
 */
export function buildSequence(config: ModelConfig, inputShape: readonly number[], kind: DatasetKind): BuiltModel {
  const [length, vocabulary] = inputShape;
  const seeds = new SeedSequence(config.seed);
  const recurrent = (name: string, returnSequences: boolean) => {
    const options = {
      units: config.rnnUnits,
      returnSequences,
      name,
      recurrentInitializer: 'zeros' as const, // replaced by a seeded orthogonal matrix below
      ...seededLayerInit(seeds),
    };
    return config.rnn === 'lstm' ? tf.layers.lstm(options) : tf.layers.gru(options);
  };

  const input = tf.input({ shape: [length, vocabulary], name: 'encoder_input' });
  const encoderRnn = recurrent(`enc_${config.rnn}`, false);
  const state = encoderRnn.apply(input) as tf.SymbolicTensor;
  const code = tf.layers.dense({ units: config.codeSize, activation: config.activation, name: 'code', ...seededLayerInit(seeds) }).apply(state) as tf.SymbolicTensor;
  const encoder = tf.model({ inputs: input, outputs: code, name: 'encoder' });

  const codeInput = tf.input({ shape: [config.codeSize], name: 'decoder_input' });
  const repeated = tf.layers.repeatVector({ n: length, name: 'dec_repeat' }).apply(codeInput) as tf.SymbolicTensor;
  const decoderRnn = recurrent(`dec_${config.rnn}`, true);
  const steps = decoderRnn.apply(repeated) as tf.SymbolicTensor;
  const output = tf.layers.dense({ units: vocabulary, activation: 'softmax', name: 'dec_output', ...seededLayerInit(seeds) }).apply(steps) as tf.SymbolicTensor;
  const decoder = tf.model({ inputs: codeInput, outputs: output, name: 'decoder' });

  for (const layer of [encoderRnn, decoderRnn]) {
    const kernel = layer.weights.find((w) => w.originalName.endsWith('recurrent_kernel'));
    if (!kernel) throw new Error(`${layer.name} has no recurrent kernel`);
    const [rows, cols] = kernel.shape as [number, number];
    const orthogonal = orthogonalMatrix(rows, cols, seeds.next());
    kernel.write(orthogonal);
    orthogonal.dispose();
    if (config.rnn === 'lstm') {
      // Keras's unit_forget_bias: the forget gate (second of the i, f, c, o blocks) starts open.
      // Set here because tfjs's unitForgetBias initializer leaks tensors on every build.
      const bias = layer.weights.find((w) => w.originalName.endsWith('bias'));
      if (!bias) throw new Error(`${layer.name} has no bias`);
      const units = config.rnnUnits;
      const values = new Float32Array(4 * units).fill(1, units, 2 * units);
      const forgetOpen = tf.tensor1d(values);
      bias.write(forgetOpen);
      forgetOpen.dispose();
    }
  }

  return assembleReconstruction({ config, kind, inputShape, encoder, decoder, loss: 'cce' });
}
