import * as tf from '@tensorflow/tfjs';
import type { DatasetKind } from '../../data/dataset';
import { mulberry32 } from '../../data/random';
import { assemble } from '../assemble';
import type { BatchDraws, BuiltModel } from '../built-model';
import type { ModelConfig } from '../config';
import { orthogonalMatrix, seededLayerInit } from '../initializers';
import { describeGraph } from '../model-graph';
import { NoiseSource } from '../noise';
import { mixSeed, SeedSequence } from '../seeds';
import { decoderLogits, encodeBatch, LAYER, rowLosses, seq2seqWeights } from '../seq2seq/network';
import { dropoutMask, sortedLines, textBatch } from '../seq2seq/text-batch';
import { textCodec } from '../seq2seq/text-codec';

/** Training steps over which the variational option's KL weight rises from 0 to klWeight (so the decoder learns to read the code first). */
export const KL_ANNEAL_STEPS = 2000;

/**
 * The character sequence-to-sequence autoencoder for text (stored character indices in, never one-hot):
 *   encoder  Embedding -> GRU reading the line backwards (padding masked) -> code (Dense, linear;
 *            variational: mean and log-variance)
 *   decoder  tanh Dense of the code = the GRU's first state; Embedding of the previous character
 *            (teacher forcing) -> GRU -> linear Dense (embeddingSize) -> Dense over the vocabulary
 *            at every step
 * Training drops a fraction (charDropout) of the decoder's input characters to the unknown mark, so
 * that the decoder must rely on the code; reconstruction is greedy decoding. The loss is the
 * cross-entropy per character (end marks included, padding excluded), plus the KL term per character
 * for the variational option, its weight annealed from 0 over KL_ANNEAL_STEPS steps.
 *
 * The layers define and save the weights (tfjs layers format; the decoder model maps [code, previous
 * characters] to probabilities); training and decoding run the same weights through hand-written GRU
 * steps (src/models/seq2seq/), which skip tfjs-layers' per-step overhead.
 */
export function buildSequence(config: ModelConfig, inputShape: readonly number[], kind: DatasetKind, vocabularySize = 0): BuiltModel {
  const [maxLength] = inputShape;
  if (inputShape.length !== 1 || vocabularySize < 4) {
    throw new Error(`the sequence preset needs text samples of character indices and their vocabulary (got shape [${inputShape}], vocabulary ${vocabularySize})`);
  }
  if (config.rnn !== 'gru') throw new Error(`the sequence preset runs a GRU encoder and decoder; rnn ${config.rnn} is not available`);
  const seeds = new SeedSequence(config.seed);
  const units = config.rnnUnits;
  const embedding = (name: string, maskZero: boolean) =>
    tf.layers.embedding({
      inputDim: vocabularySize,
      outputDim: config.embeddingSize,
      maskZero,
      name,
      // N(0, 1) as in PyTorch: Keras's uniform ±0.05 starts the GRUs with almost no input signal (slower start, measured).
      embeddingsInitializer: tf.initializers.randomNormal({ mean: 0, stddev: 1, seed: seeds.next() }),
    });
  const gru = (name: string, returnSequences: boolean, goBackwards: boolean) =>
    tf.layers.gru({ units, returnSequences, goBackwards, name, recurrentActivation: 'sigmoid', recurrentInitializer: 'zeros', ...seededLayerInit(seeds) });

  const input = tf.input({ shape: [maxLength], name: 'encoder_input' });
  const encoderGru = gru(LAYER.encoderGru, false, true);
  const state = encoderGru.apply(embedding(LAYER.encoderEmbedding, true).apply(input)) as tf.SymbolicTensor;
  const code = tf.layers.dense({ units: config.codeSize, name: LAYER.code, ...seededLayerInit(seeds) }).apply(state) as tf.SymbolicTensor;
  const logVar = config.variational
    ? (tf.layers.dense({ units: config.codeSize, name: LAYER.codeLogVar, ...seededLayerInit(seeds) }).apply(state) as tf.SymbolicTensor)
    : undefined;
  const encoder = tf.model({ inputs: input, outputs: code, name: 'encoder' });
  const encoderStats = logVar ? tf.model({ inputs: input, outputs: [code, logVar], name: 'encoder_stats' }) : encoder;

  const codeInput = tf.input({ shape: [config.codeSize], name: 'decoder_code' });
  const previousInput = tf.input({ shape: [maxLength], name: 'decoder_previous' });
  const firstState = tf.layers.dense({ units, activation: 'tanh', name: LAYER.decoderState, ...seededLayerInit(seeds) }).apply(codeInput) as tf.SymbolicTensor;
  const decoderGru = gru(LAYER.decoderGru, true, false);
  const previous = embedding(LAYER.decoderEmbedding, false).apply(previousInput) as tf.SymbolicTensor;
  const steps = decoderGru.apply(previous, { initialState: [firstState] }) as tf.SymbolicTensor;
  const projected = tf.layers.dense({ units: config.embeddingSize, name: LAYER.decoderProjection, ...seededLayerInit(seeds) }).apply(steps) as tf.SymbolicTensor;
  const output = tf.layers.dense({ units: vocabularySize, activation: 'softmax', name: LAYER.decoderOutput, ...seededLayerInit(seeds) }).apply(projected) as tf.SymbolicTensor;
  const decoder = tf.model({ inputs: [codeInput, previousInput], outputs: output, name: 'decoder' });

  for (const layer of [encoderGru, decoderGru]) {
    const kernel = layer.weights.find((w) => w.originalName.endsWith('recurrent_kernel'))!;
    const orthogonal = orthogonalMatrix(units, 3 * units, seeds.next());
    kernel.write(orthogonal);
    orthogonal.dispose();
  }

  const autoencoderInputs = [tf.input({ shape: [maxLength], name: 'autoencoder_input' }), tf.input({ shape: [maxLength], name: 'autoencoder_previous' })];
  const autoencoderCode = encoder.apply(autoencoderInputs[0]) as tf.SymbolicTensor;
  const autoencoder = tf.model({ inputs: autoencoderInputs, outputs: decoder.apply([autoencoderCode, autoencoderInputs[1]]) as tf.SymbolicTensor, name: 'autoencoder' });

  const noise = new NoiseSource(config.seed);
  const drawsPerStep = (config.charDropout > 0 ? 1 : 0) + 1;
  // encoderStats: the code-only encoder model does not hold the log-variance head.
  const weights = () => seq2seqWeights(encoderStats, decoder);
  const graph = describeGraph({
    preset: config.preset,
    encoder: encoderStats,
    decoder,
    codeLayers: logVar ? [LAYER.code, LAYER.codeLogVar] : [LAYER.code],
    extraCodeSteps: logVar ? [{ name: 'sampling', className: 'Sampling', outputShape: [null, config.codeSize], params: 0, group: 'code' }] : undefined,
  });

  /**
   * A training step's random draws for a batch, in the order one batch always drew them: the KL
   * annealing position (from the draws so far, restored with a checkpoint), the character dropout mask,
   * the variational code's noise (drawn in the packed order, kept per sample in the batch's order).
   */
  const drawsOf = (ids: ArrayLike<number>, count: number): BatchDraws => {
    const annealed = Math.min(1, Math.floor(noise.draws / drawsPerStep) / KL_ANNEAL_STEPS);
    const dropped = config.charDropout > 0 ? dropoutMask(ids, count, maxLength, { rate: config.charDropout, random: mulberry32(mixSeed(config.seed, noise.draws++)) }) : undefined;
    let codeNoise: Float32Array | undefined;
    if (config.variational) {
      const drawn = noise.normal([count, config.codeSize]);
      const packed = drawn.dataSync() as Float32Array;
      const { order } = sortedLines(ids, count, maxLength);
      codeNoise = new Float32Array(packed.length);
      order.forEach((b, i) => codeNoise!.set(packed.subarray(i * config.codeSize, (i + 1) * config.codeSize), b * config.codeSize));
      drawn.dispose();
    }
    return { annealed, dropped, codeNoise };
  };
  /**
   * The loss of these samples (training: under the given draws), a mean per character: the
   * cross-entropy summed over every decoder row plus the KL term, divided by the rows.
   */
  const shareLoss = (x: tf.Tensor, draws: BatchDraws | undefined) => {
    const count = x.shape[0];
    const batch = textBatch(x.dataSync(), count, maxLength, draws?.dropped as Uint8Array | undefined);
    const w = weights();
    const { mean, logVar: logVariance } = encodeBatch(w, batch);
    let code: tf.Tensor2D = mean;
    const codeNoise = draws?.codeNoise as Float32Array | undefined;
    if (logVariance && codeNoise) {
      const size = config.codeSize;
      const packed = new Float32Array(count * size);
      batch.order.forEach((b, i) => packed.set(codeNoise.subarray(b * size, (b + 1) * size), i * size));
      code = tf.add(mean, tf.mul(tf.exp(tf.mul(0.5, logVariance)), tf.tensor2d(packed, [count, size])));
    }
    let total: tf.Tensor = tf.sum(rowLosses(decoderLogits(w, code, batch), batch));
    if (logVariance) {
      const kl = tf.mul(-0.5, tf.sum(tf.sub(tf.add(1, logVariance), tf.add(tf.square(mean), tf.exp(logVariance)))));
      total = tf.add(total, tf.mul(config.klWeight * (draws ? (draws.annealed as number) : 1), kl));
    }
    return { loss: tf.div(total, batch.characters) as tf.Scalar, weight: batch.characters };
  };

  return assemble({
    config,
    kind,
    inputShape,
    encoder,
    decoder,
    autoencoder,
    text: textCodec(encoder, decoder, maxLength),
    trainedModels: [encoderStats, decoder],
    noise,
    graph,
    loss: (x, training) => shareLoss(x, training ? drawsOf(x.dataSync(), x.shape[0]) : undefined).loss,
    lossShares: {
      draw: drawsOf,
      slice: (draws, start, end) => ({
        annealed: draws.annealed,
        // Copies, not views: a view would carry its whole buffer to the worker.
        dropped: (draws.dropped as Uint8Array | undefined)?.slice(start * maxLength, end * maxLength),
        codeNoise: (draws.codeNoise as Float32Array | undefined)?.slice(start * config.codeSize, end * config.codeSize),
      }),
      loss: shareLoss,
    },
    perSampleError: (x) => {
      const count = x.shape[0];
      const batch = textBatch(x.dataSync(), count, maxLength);
      const w = weights();
      const losses = rowLosses(decoderLogits(w, encodeBatch(w, batch).mean, batch), batch).dataSync();
      // Mean cross-entropy per character of each line, back in the batch's order.
      const sums = new Float64Array(count);
      const characters = new Float64Array(count);
      batch.targetLine.forEach((line, row) => {
        sums[batch.order[line]] += losses[row];
        characters[batch.order[line]]++;
      });
      return tf.tensor1d(Float32Array.from(sums, (sum, b) => sum / characters[b]));
    },
  });
}
