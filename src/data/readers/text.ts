import * as path from 'node:path';
import { DatasetError, type Dataset, type StorageArray } from '../dataset';
import type { DatasetRef } from '../../protocol/trainer-protocol';
import { MAX_TEXT_BYTES, readDataFile } from './file-bytes';

/**
 * Text, one sample per line, for the sequence autoencoder. Characters are Unicode code points (an
 * emoji or a Chinese character is one character, never several bytes). The vocabulary is built from
 * the data: index 0 is padding, 1 is the end of a line, 2 stands for every character outside the
 * vocabulary cap (the rarest ones), then the kept characters in code point order.
 * A sample is stored as maxLength character indices: the line (cut to maxLength - 1 characters),
 * the end mark, then padding. The model reads these indices (an embedding), never one-hot rows.
 */

export const PAD_INDEX = 0;
export const END_INDEX = 1;
export const UNKNOWN_INDEX = 2;
/** Padding decodes to nothing, the end mark to a newline, a character outside the vocabulary to U+FFFD. */
const PAD_CHAR = '';
const END_CHAR = '\n';
export const UNKNOWN_CHAR = '\uFFFD';
/** Without a maxLength in the ref, samples are as long as the longest line plus the end mark, up to this. */
export const DEFAULT_MAX_LENGTH_CAP = 64;
/** Without a maxVocabulary in the ref: characters kept (the most frequent), the rest become the unknown mark. */
export const DEFAULT_MAX_VOCABULARY = 3000;

/** Indices back to text: stops at the end mark, skips padding; the unknown mark shows as U+FFFD. */
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

/** The vocabulary of some lines: the `cap` most frequent characters (ties: lower code point first), in code point order. */
export function buildVocabulary(lines: readonly string[][], cap: number): { vocabulary: string[]; dropped: number } {
  const counts = new Map<string, number>();
  for (const chars of lines) for (const ch of chars) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  const byCodePoint = (a: string, b: string) => a.codePointAt(0)! - b.codePointAt(0)!;
  const ranked = [...counts.keys()].sort((a, b) => counts.get(b)! - counts.get(a)! || byCodePoint(a, b));
  const kept = ranked.slice(0, cap).sort(byCodePoint);
  return { vocabulary: [PAD_CHAR, END_CHAR, UNKNOWN_CHAR, ...kept], dropped: ranked.length - kept.length };
}

export async function readTextDataset(ref: DatasetRef): Promise<Dataset> {
  const file = ref.path;
  const bytes = await readDataFile(file, MAX_TEXT_BYTES);
  if (bytes.includes(0)) throw new DatasetError(file, 'is binary (holds NUL bytes), not a text file with one sample per line');
  const allLines = textLines(bytes.toString('utf8').replace(/^\uFEFF/, ''));
  if (allLines.length === 0) throw new DatasetError(file, 'holds no text lines');
  const lines = allLines.slice(0, ref.limit ?? allLines.length);
  const count = lines.length;

  const characters = lines.map((line) => Array.from(line)); // code points
  const longest = characters.reduce((most, chars) => Math.max(most, chars.length), 0);
  const { vocabulary, dropped } = buildVocabulary(characters, ref.maxVocabulary ?? DEFAULT_MAX_VOCABULARY);
  const indexOf = new Map(vocabulary.map((ch, i) => [ch, i] as const).slice(UNKNOWN_INDEX + 1));
  const maxLength = ref.maxLength ?? Math.max(2, Math.min(longest + 1, DEFAULT_MAX_LENGTH_CAP));
  const vocabularySize = vocabulary.length;

  const data: Uint8Array | Uint16Array = vocabularySize <= 256 ? new Uint8Array(count * maxLength) : new Uint16Array(count * maxLength);
  let cutLines = 0;
  let unknownCharacters = 0;
  characters.forEach((all, i) => {
    if (all.length > maxLength - 1) cutLines++;
    const chars = all.slice(0, maxLength - 1);
    const offset = i * maxLength;
    chars.forEach((ch, t) => {
      const index = indexOf.get(ch) ?? UNKNOWN_INDEX;
      if (index === UNKNOWN_INDEX) unknownCharacters++;
      data[offset + t] = index;
    });
    data[offset + chars.length] = END_INDEX;
    // the rest stays 0: padding
  });
  const notes: string[] = [];
  if (cutLines > 0) notes.push(`${cutLines} of ${count} lines were longer than ${maxLength - 1} characters and were cut to that length`);
  if (dropped > 0) {
    notes.push(`${dropped} rare characters (${unknownCharacters} occurrences) are outside the vocabulary of ${vocabularySize - 3} and read as ${UNKNOWN_CHAR}`);
  }

  const checkIndex = (i: number): void => {
    if (!(Number.isInteger(i) && i >= 0 && i < count)) throw new RangeError(`sample index ${i} is outside 0..${count - 1}`);
  };

  return {
    source: file,
    name: path.basename(file).replace(/\.txt$/i, ''),
    format: 'text',
    kind: 'text',
    count,
    sampleShape: [maxLength],
    inputShape: [maxLength],
    dtype: data instanceof Uint8Array ? 'uint8' : 'uint16',
    scaling: { kind: 'indices', vocabularySize },
    vocabulary,
    notes,
    sample(i: number): StorageArray {
      checkIndex(i);
      return data.subarray(i * maxLength, (i + 1) * maxLength);
    },
    text(i: number): string {
      checkIndex(i);
      return lines[i];
    },
    fillBatch(indices: ArrayLike<number>, out: Float32Array): void {
      if (out.length < indices.length * maxLength) {
        throw new RangeError(`batch buffer holds ${out.length} values, ${indices.length * maxLength} needed`);
      }
      for (let k = 0; k < indices.length; k++) {
        const i = indices[k];
        checkIndex(i);
        out.set(data.subarray(i * maxLength, (i + 1) * maxLength), k * maxLength);
      }
    },
  };
}

/** A line typed in, as a stored sample of this vocabulary: characters outside it read as the unknown mark. */
export function encodeLine(line: string, vocabulary: readonly string[], maxLength: number): Int32Array {
  const indexOf = new Map(vocabulary.map((ch, i) => [ch, i] as const).slice(UNKNOWN_INDEX + 1));
  const chars = Array.from(line).slice(0, maxLength - 1);
  const ids = new Int32Array(maxLength);
  chars.forEach((ch, t) => (ids[t] = indexOf.get(ch) ?? UNKNOWN_INDEX));
  ids[chars.length] = END_INDEX;
  return ids;
}
