import * as tf from '@tensorflow/tfjs';
import { encodeBatch, greedyDecode, seq2seqWeights } from './network';
import { textBatch } from './text-batch';

/** What the lab, the metrics and generation need of a text model: lines to codes and codes to lines. */
export interface TextCodec {
  readonly maxLength: number;
  /** Codes (the mean, for the variational option) of `count` stored samples: [count * maxLength] indices. Call inside tf.tidy. */
  encode(ids: ArrayLike<number>, count: number): tf.Tensor2D;
  /** Greedy decoding of codes: [count * maxLength] indices in the stored layout (characters, end mark, padding). Not inside tf.tidy. */
  decode(codes: tf.Tensor2D): Int32Array;
}

/** The codec of a sequence model's encoder and decoder (built here or loaded from a run folder). */
export function textCodec(encoder: tf.LayersModel, decoder: tf.LayersModel, maxLength: number): TextCodec {
  const weights = () => seq2seqWeights(encoder, decoder);
  return {
    maxLength,
    encode(ids, count) {
      const batch = textBatch(ids, count, maxLength);
      const sorted = encodeBatch(weights(), batch).mean;
      return tf.gather(sorted, tf.tensor1d(inversePermutation(batch.order), 'int32')) as tf.Tensor2D;
    },
    decode(codes) {
      return greedyDecode(weights(), codes, maxLength);
    },
  };
}

/** position[order[i]] = i: from the sorted order back to the batch's. */
export function inversePermutation(order: Int32Array): Int32Array {
  const position = new Int32Array(order.length);
  order.forEach((b, i) => (position[b] = i));
  return position;
}
