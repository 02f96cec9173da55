import { END_INDEX, PAD_INDEX, UNKNOWN_INDEX } from '../../data/readers/text';

/**
 * One batch of lines as the sequence network reads it, packed (PyTorch's pack_padded_sequence):
 * the lines sorted longest first, then step by step only the lines still running, so padding costs
 * nothing. `sizes[t]` lines take part in step t (never increasing); the values of step t are at
 * rows offset(t) .. offset(t) + sizes[t] - 1, line i of the sorted order at row offset(t) + i.
 *   encoder   the line and its end mark read backwards: the end mark, the last character, ..., the first
 *             (what the encoder saw last is what the decoder writes first; a tf.layers.gru with
 *             goBackwards over the masked stored sample reads exactly this)
 *   decoder   fed the previous character (teacher forcing), the end mark standing for "start" at step
 *             0; with character dropout some of those inputs become the unknown mark, so that the
 *             decoder must take what it cannot read from the code
 *   targets   the line's characters and its end mark
 */
export interface PackedSequence {
  ids: Int32Array;
  sizes: number[];
}

export interface TextBatch {
  count: number;
  /** order[i]: the batch position of the i-th longest line. */
  order: Int32Array;
  encoder: PackedSequence;
  decoder: PackedSequence;
  targets: Int32Array;
  /** For each decoder row, the sorted line it belongs to. */
  targetLine: Int32Array;
  /** Characters (end marks included) that count in the loss: the decoder's rows. */
  characters: number;
}

export interface CharacterDropout {
  rate: number;
  /** Uniform in [0, 1). */
  random: () => number;
}

/** The characters of each stored sample (line, end mark, padding): how many before the end mark. */
function lineLengths(ids: ArrayLike<number>, count: number, maxLength: number): Int32Array {
  const lengths = new Int32Array(count);
  for (let b = 0; b < count; b++) {
    let length = maxLength - 1;
    for (let t = 0; t < maxLength; t++) {
      const id = ids[b * maxLength + t];
      if (id === END_INDEX || id === PAD_INDEX) {
        length = t;
        break;
      }
    }
    lengths[b] = Math.max(1, length);
  }
  return lengths;
}

/** Lines of these lengths (sorted, longest first) taking part in each of `steps` steps. */
function stepSizes(sortedLengths: Int32Array, steps: number, extra: number): number[] {
  const sizes: number[] = [];
  let running = sortedLengths.length;
  for (let t = 0; t < steps; t++) {
    while (running > 0 && sortedLengths[running - 1] + extra <= t) running--;
    sizes.push(running);
  }
  return sizes;
}

/** The lines sorted longest first (ties by position) and how many take part in each step. */
export function sortedLines(ids: ArrayLike<number>, count: number, maxLength: number): { order: Int32Array; sorted: Int32Array; sizes: number[] } {
  const lengths = lineLengths(ids, count, maxLength);
  const order = Int32Array.from(lengths.keys()).sort((a, b) => lengths[b] - lengths[a] || a - b);
  const sorted = Int32Array.from(order, (b) => lengths[b]);
  return { order, sorted, sizes: stepSizes(sorted, sorted[0] + 1, 1) };
}

/**
 * Character dropout of a batch, drawn once: mask[b × maxLength + t] = 1 when the decoder of sample b
 * is fed the unknown mark instead of its previous character at step t. The draws are taken in the
 * packed order (step by step, longest line first), so a mask of the whole batch is what a batch of
 * one thread always drew; data-parallel halves take their samples' rows of it.
 */
export function dropoutMask(ids: ArrayLike<number>, count: number, maxLength: number, dropout: CharacterDropout): Uint8Array {
  const { order, sizes } = sortedLines(ids, count, maxLength);
  const mask = new Uint8Array(count * maxLength);
  for (let t = 1; t < sizes.length; t++) {
    for (let i = 0; i < sizes[t]; i++) if (dropout.random() < dropout.rate) mask[order[i] * maxLength + t] = 1;
  }
  return mask;
}

/**
 * Packs stored samples: `ids` holds `count` rows of `maxLength` indices (line, end mark, padding);
 * `dropped` (dropoutMask, same layout) marks the decoder inputs replaced by the unknown mark.
 */
export function textBatch(ids: ArrayLike<number>, count: number, maxLength: number, dropped?: Uint8Array): TextBatch {
  const { order, sorted, sizes: encoderSizes } = sortedLines(ids, count, maxLength);
  const decoderSizes = encoderSizes;
  const encoderIds = new Int32Array(encoderSizes.reduce((a, b) => a + b, 0));
  const decoderIds = new Int32Array(decoderSizes.reduce((a, b) => a + b, 0));
  const targets = new Int32Array(decoderIds.length);
  const targetLine = new Int32Array(decoderIds.length);
  const character = (i: number, t: number) => ids[order[i] * maxLength + t];
  let row = 0;
  for (let t = 0; t < encoderSizes.length; t++) {
    for (let i = 0; i < encoderSizes[t]; i++) encoderIds[row++] = t === 0 ? END_INDEX : character(i, sorted[i] - t);
  }
  row = 0;
  for (let t = 0; t < decoderSizes.length; t++) {
    for (let i = 0; i < decoderSizes[t]; i++) {
      const target = t === sorted[i] ? END_INDEX : character(i, t);
      const previous = t === 0 ? END_INDEX : character(i, t - 1);
      decoderIds[row] = dropped?.[order[i] * maxLength + t] ? UNKNOWN_INDEX : previous;
      targets[row] = target;
      targetLine[row] = i;
      row++;
    }
  }
  return {
    count,
    order,
    encoder: { ids: encoderIds, sizes: encoderSizes },
    decoder: { ids: decoderIds, sizes: decoderSizes },
    targets,
    targetLine,
    characters: decoderIds.length,
  };
}
