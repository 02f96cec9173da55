import * as tf from '@tensorflow/tfjs';
import { END_INDEX, PAD_INDEX } from '../../data/readers/text';
import { GruRunner, gruWeightsOf, type GruWeights } from './gru';
import { softmaxCrossEntropy } from './softmax-cross-entropy';
import type { TextBatch } from './text-batch';

/**
 * The sequence-to-sequence network's weights, read from its tfjs-layers models by layer name (a
 * freshly built model's variables, or a saved model loaded from disk), and its computations:
 *   encoder   enc_embedding -> enc_gru (masked) -> code (and code_log_var, variational)
 *   decoder   dec_state: tanh(code) -> first state; dec_embedding of the previous character ->
 *             dec_gru -> dec_projection (linear, embeddingSize wide) -> dec_output: logits over the
 *             vocabulary at every step (the narrow projection makes the output layer of a vocabulary
 *             of thousands of characters several times cheaper)
 */

export const LAYER = {
  encoderEmbedding: 'enc_embedding',
  encoderGru: 'enc_gru',
  code: 'code',
  codeLogVar: 'code_log_var',
  decoderState: 'dec_state',
  decoderEmbedding: 'dec_embedding',
  decoderGru: 'dec_gru',
  decoderProjection: 'dec_projection',
  decoderOutput: 'dec_output',
} as const;

interface Dense {
  kernel: tf.Tensor2D;
  bias: tf.Tensor1D;
}

export interface Seq2SeqWeights {
  encoderEmbedding: tf.Tensor2D;
  encoderGru: GruWeights;
  code: Dense;
  codeLogVar?: Dense;
  decoderState: Dense;
  decoderEmbedding: tf.Tensor2D;
  decoderGru: GruWeights;
  decoderProjection: Dense;
  decoderOutput: Dense;
}

function layerWeight(model: tf.LayersModel, layerName: string, suffix: string): tf.Tensor {
  const layer = model.getLayer(layerName);
  const weight = layer.weights.find((w) => w.originalName.endsWith(`/${suffix}`));
  if (!weight) throw new Error(`layer ${layerName} has no ${suffix}`);
  return weight.read();
}

function dense(model: tf.LayersModel, name: string): Dense {
  return { kernel: layerWeight(model, name, 'kernel') as tf.Tensor2D, bias: layerWeight(model, name, 'bias') as tf.Tensor1D };
}

function hasLayer(model: tf.LayersModel, name: string): boolean {
  return model.layers.some((layer) => layer.name === name);
}

/** The weights of an encoder (x -> code) and decoder ([code, previous characters] -> probabilities) built by buildSequence. */
export function seq2seqWeights(encoder: tf.LayersModel, decoder: tf.LayersModel): Seq2SeqWeights {
  return {
    encoderEmbedding: layerWeight(encoder, LAYER.encoderEmbedding, 'embeddings') as tf.Tensor2D,
    encoderGru: gruWeightsOf(encoder.getLayer(LAYER.encoderGru)),
    code: dense(encoder, LAYER.code),
    codeLogVar: hasLayer(encoder, LAYER.codeLogVar) ? dense(encoder, LAYER.codeLogVar) : undefined,
    decoderState: dense(decoder, LAYER.decoderState),
    decoderEmbedding: layerWeight(decoder, LAYER.decoderEmbedding, 'embeddings') as tf.Tensor2D,
    decoderGru: gruWeightsOf(decoder.getLayer(LAYER.decoderGru)),
    decoderProjection: dense(decoder, LAYER.decoderProjection),
    decoderOutput: dense(decoder, LAYER.decoderOutput),
  };
}

function applyDense(x: tf.Tensor2D, layer: Dense): tf.Tensor2D {
  return tf.add(tf.matMul(x, layer.kernel), layer.bias);
}

/** Logits over the vocabulary from decoder states, through the narrow linear projection. */
function outputLogits(states: tf.Tensor2D, weights: Seq2SeqWeights): tf.Tensor2D {
  return applyDense(applyDense(states, weights.decoderProjection), weights.decoderOutput);
}

/** Encodes a packed batch: the code's mean and log-variance of each line, in the batch's sorted order. */
export function encodeBatch(weights: Seq2SeqWeights, batch: TextBatch): { mean: tf.Tensor2D; logVar?: tf.Tensor2D } {
  const gru = new GruRunner(weights.encoderGru);
  const embedded = tf.gather(weights.encoderEmbedding, tf.tensor1d(batch.encoder.ids, 'int32')) as tf.Tensor2D;
  const last = gru.runPacked(embedded, batch.encoder.sizes, tf.zeros([batch.count, gru.units])).last();
  return { mean: applyDense(last, weights.code), logVar: weights.codeLogVar ? applyDense(last, weights.codeLogVar) : undefined };
}

/** The decoder's first state from a code. */
export function initialState(weights: Seq2SeqWeights, code: tf.Tensor2D): tf.Tensor2D {
  return tf.tanh(applyDense(code, weights.decoderState));
}

/** Teacher-forced logits of every decoder row of the batch [rows, vocabulary], from the codes (sorted order). */
export function decoderLogits(weights: Seq2SeqWeights, code: tf.Tensor2D, batch: TextBatch): tf.Tensor2D {
  const gru = new GruRunner(weights.decoderGru);
  const embedded = tf.gather(weights.decoderEmbedding, tf.tensor1d(batch.decoder.ids, 'int32')) as tf.Tensor2D;
  const { states } = gru.runPacked(embedded, batch.decoder.sizes, initialState(weights, code));
  return outputLogits(states, weights);
}

/** Cross-entropy of each decoder row [rows]. */
export function rowLosses(logits: tf.Tensor2D, batch: TextBatch): tf.Tensor1D {
  return softmaxCrossEntropy(logits, batch.targets);
}

/**
 * Greedy decoding: from each code's first state, feed back the most likely character until every
 * line has written its end mark or `maxLength` characters. Returns [count, maxLength] indices in the
 * stored layout (characters, end mark, padding). Frees what it makes (do not call inside tf.tidy, which
 * would walk the returned array index by index).
 */
export function greedyDecode(weights: Seq2SeqWeights, code: tf.Tensor2D, maxLength: number): Int32Array {
  const count = code.shape[0];
  const out = new Int32Array(count * maxLength).fill(PAD_INDEX);
  const done = new Uint8Array(count);
  let remaining = count;
  const gru = new GruRunner(weights.decoderGru);
  let h = tf.tidy(() => initialState(weights, code));
  let previous = tf.fill([count], END_INDEX, 'int32') as tf.Tensor1D;
  for (let t = 0; t < maxLength && remaining > 0; t++) {
    const step = tf.tidy(() => {
      const input = gru.projectStep(tf.gather(weights.decoderEmbedding, previous) as tf.Tensor2D);
      const next = gru.step(h, input.gates, input.candidate);
      const choice = tf.argMax(outputLogits(next, weights), 1).toInt() as tf.Tensor1D;
      return { next, choice };
    });
    tf.dispose([h, previous]);
    h = step.next;
    previous = step.choice;
    const chosen = step.choice.dataSync();
    for (let b = 0; b < count; b++) {
      if (done[b]) continue;
      // The last position can only hold the end mark (a line is at most maxLength - 1 characters).
      const id = t === maxLength - 1 ? END_INDEX : chosen[b];
      out[b * maxLength + t] = id;
      if (id === END_INDEX || id === PAD_INDEX) {
        out[b * maxLength + t] = END_INDEX;
        done[b] = 1;
        remaining--;
      }
    }
  }
  tf.dispose([h, previous]);
  gru.dispose();
  return out;
}
