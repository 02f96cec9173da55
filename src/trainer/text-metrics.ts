import type * as tfType from '@tensorflow/tfjs';
import type { Dataset } from '../data/dataset';
import { decodeCharacterIndices, END_INDEX } from '../data/readers/text';
import type { BuiltModel } from '../models/built-model';
import type { TextCodec } from '../models/seq2seq/text-codec';
import type { Reconstructions } from '../protocol/trainer-protocol';

/**
 * What a text model gives back for held-out lines, by greedy decoding (never teacher forcing, which
 * would look better than what a user gets):
 *   val_char_accuracy  characters (and end marks) of the lines decoded right, position by position
 *   val_exact_match    lines decoded exactly
 * Per epoch over at most TEXT_METRIC_LINES held-out lines, spread evenly (a fixed set, so epochs compare).
 */

export const TEXT_METRIC_LINES = 2000;

export interface TextMetrics {
  val_char_accuracy: number;
  val_exact_match: number;
}

/** Greedy reconstructions of the given samples: [indices.length * maxLength] stored indices. */
export function reconstructIndices(tf: typeof tfType, codec: TextCodec, dataset: Dataset, indices: ArrayLike<number>, batchSize = 256): Int32Array {
  const maxLength = codec.maxLength;
  const out = new Int32Array(indices.length * maxLength);
  const buffer = new Float32Array(batchSize * maxLength);
  for (let start = 0; start < indices.length; start += batchSize) {
    const chunk = Array.prototype.slice.call(indices, start, Math.min(start + batchSize, indices.length)) as number[];
    dataset.fillBatch(chunk, buffer);
    const codes = tf.tidy(() => codec.encode(buffer.subarray(0, chunk.length * maxLength), chunk.length));
    out.set(codec.decode(codes), start * maxLength);
    codes.dispose();
  }
  return out;
}

/** Compares greedy reconstructions with the stored lines. */
export function scoreReconstructions(dataset: Dataset, indices: ArrayLike<number>, decoded: Int32Array, maxLength: number): TextMetrics {
  let right = 0;
  let total = 0;
  let exact = 0;
  for (let k = 0; k < indices.length; k++) {
    const target = dataset.sample(indices[k]);
    let hits = 0;
    let length = maxLength;
    for (let t = 0; t < maxLength; t++) {
      if (decoded[k * maxLength + t] === target[t]) hits++;
      if (target[t] === END_INDEX) {
        length = t + 1;
        break;
      }
    }
    right += hits;
    total += length;
    if (hits === length) exact++;
  }
  return { val_char_accuracy: total > 0 ? right / total : 0, val_exact_match: indices.length > 0 ? exact / indices.length : 0 };
}

export function textMetrics(tf: typeof tfType, model: BuiltModel, dataset: Dataset, indices: ArrayLike<number>, batchSize = 256): TextMetrics {
  if (!model.text) throw new Error(`the ${model.config.preset} model does not decode text`);
  const chosen = spreadIndices(indices, TEXT_METRIC_LINES);
  return scoreReconstructions(dataset, chosen, reconstructIndices(tf, model.text, dataset, chosen, batchSize), model.text.maxLength);
}

/** The epoch's text samples: each line and its greedy reconstruction, with the model's per-line error. */
export function textReconstructions(tf: typeof tfType, model: BuiltModel, dataset: Dataset, indices: Int32Array, epoch: number): Reconstructions {
  if (!model.text) throw new Error(`the ${model.config.preset} model does not decode text`);
  const maxLength = model.text.maxLength;
  const decoded = reconstructIndices(tf, model.text, dataset, indices);
  const errors: number[] = [];
  const buffer = new Float32Array(indices.length * maxLength);
  if (indices.length > 0) {
    dataset.fillBatch(indices, buffer);
    const values = tf.tidy(() => model.perSampleError(tf.tensor2d(buffer, [indices.length, maxLength])));
    errors.push(...values.dataSync());
    values.dispose();
  }
  const vocabulary = dataset.vocabulary ?? [];
  const texts = Array.from(indices, (i, k) => ({
    input: dataset.text?.(i) ?? decodeCharacterIndices(dataset.sample(i), vocabulary),
    output: decodeCharacterIndices(decoded.subarray(k * maxLength, (k + 1) * maxLength), vocabulary),
  }));
  return { epoch, indices: Array.from(indices), errors, texts };
}

function spreadIndices(from: ArrayLike<number>, count: number): number[] {
  if (from.length <= count) return Array.from(from);
  return Array.from({ length: count }, (_, i) => from[Math.floor((i * from.length) / count)]);
}
