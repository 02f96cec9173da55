import * as path from 'node:path';
import { DatasetError, type Dataset, type StorageArray } from '../dataset';
import type { DatasetRef } from '../../protocol/trainer-protocol';
import { MAX_TEXT_BYTES, readDataFile } from './file-bytes';

/**
 * Text, one sample per line, for the sequence autoencoder. The character vocabulary is built from
 * the data: index 0 is padding, 1 is end of sequence, then every character seen, in code point order.
 * A sample is stored as maxLength character indices: the line (cut to maxLength - 1 characters),
 * the end mark, then padding. The model sees one one-hot row per position: [maxLength, vocabularySize].
 */

export const PAD_INDEX = 0;
export const END_INDEX = 1;
/** The vocabulary entries of the two reserved indices: padding decodes to nothing, the end mark to a newline. */
const PAD_CHAR = '';
const END_CHAR = '\n';
/** Without a maxLength in the ref, samples are as long as the longest line plus the end mark, up to this. */
export const DEFAULT_MAX_LENGTH_CAP = 64;

/** Indices back to text: stops at the end mark, skips padding and unknown indices. */
export function decodeCharacterIndices(indices: ArrayLike<number>, vocabulary: readonly string[]): string {
  let text = '';
  for (let t = 0; t < indices.length; t++) {
    const index = indices[t];
    if (index === END_INDEX) break;
    if (index > END_INDEX && index < vocabulary.length) text += vocabulary[index];
  }
  return text;
}

/** Splits text into non-empty lines (any line ending; trailing spaces kept, they are characters). */
export function textLines(text: string): string[] {
  return text.split(/\r?\n|\r/).filter((line) => line.length > 0);
}

export async function readTextDataset(ref: DatasetRef): Promise<Dataset> {
  const file = ref.path;
  const bytes = await readDataFile(file, MAX_TEXT_BYTES);
  if (bytes.includes(0)) throw new DatasetError(file, 'is binary (holds NUL bytes), not a text file with one sample per line');
  const allLines = textLines(bytes.toString('utf8').replace(/^\uFEFF/, ''));
  if (allLines.length === 0) throw new DatasetError(file, 'holds no text lines');
  const lines = allLines.slice(0, ref.limit ?? allLines.length);
  const count = lines.length;

  const characters = new Set<string>();
  let longest = 0;
  for (const line of lines) {
    const chars = Array.from(line); // code points, so an emoji is one character
    for (const ch of chars) characters.add(ch);
    if (chars.length > longest) longest = chars.length;
  }
  const vocabulary = [PAD_CHAR, END_CHAR, ...[...characters].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!)];
  const indexOf = new Map(vocabulary.map((ch, i) => [ch, i] as const).slice(2));
  const maxLength = ref.maxLength ?? Math.max(2, Math.min(longest + 1, DEFAULT_MAX_LENGTH_CAP));
  const vocabularySize = vocabulary.length;

  const data: Uint8Array | Uint16Array = vocabularySize <= 256 ? new Uint8Array(count * maxLength) : new Uint16Array(count * maxLength);
  lines.forEach((line, i) => {
    const chars = Array.from(line).slice(0, maxLength - 1);
    const offset = i * maxLength;
    chars.forEach((ch, t) => (data[offset + t] = indexOf.get(ch)!));
    data[offset + chars.length] = END_INDEX;
    // the rest stays 0: padding
  });

  const checkIndex = (i: number): void => {
    if (!(Number.isInteger(i) && i >= 0 && i < count)) throw new RangeError(`sample index ${i} is outside 0..${count - 1}`);
  };
  const sampleSize = maxLength * vocabularySize;

  return {
    source: file,
    name: path.basename(file).replace(/\.txt$/i, ''),
    format: 'text',
    kind: 'text',
    count,
    sampleShape: [maxLength],
    inputShape: [maxLength, vocabularySize],
    dtype: data instanceof Uint8Array ? 'uint8' : 'uint16',
    scaling: { kind: 'one-hot', vocabularySize },
    vocabulary,
    sample(i: number): StorageArray {
      checkIndex(i);
      return data.subarray(i * maxLength, (i + 1) * maxLength);
    },
    text(i: number): string {
      checkIndex(i);
      return lines[i];
    },
    fillBatch(indices: ArrayLike<number>, out: Float32Array): void {
      if (out.length < indices.length * sampleSize) {
        throw new RangeError(`batch buffer holds ${out.length} values, ${indices.length * sampleSize} needed`);
      }
      out.fill(0, 0, indices.length * sampleSize);
      for (let k = 0; k < indices.length; k++) {
        const i = indices[k];
        checkIndex(i);
        // Every position gets a one-hot row, padding included (index 0), so each row is a valid target.
        for (let t = 0; t < maxLength; t++) out[k * sampleSize + t * vocabularySize + data[i * maxLength + t]] = 1;
      }
    },
  };
}
