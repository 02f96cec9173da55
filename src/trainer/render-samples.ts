import type { Dataset } from '../data/dataset';
import type { ImageBatch } from '../protocol/trainer-protocol';

/**
 * Turns training-scale float values (model inputs or outputs) into what crosses the process
 * boundary: images as base64 uint8, text as decoded strings. Never JSON float arrays.
 */

/** Values that cannot be shown as pictures or text (none today) give undefined. */
export function renderImages(values: Float32Array, count: number, dataset: Pick<Dataset, 'kind' | 'inputShape'>): ImageBatch | undefined {
  if (dataset.kind === 'text') return undefined;
  const shape = dataset.inputShape;
  const sampleSize = shape.reduce((a, b) => a * b, 1);
  if (dataset.kind === 'tabular' || shape.length !== 3) {
    // A row of standardized features as a one-pixel-high strip: ±3 standard deviations span black to white.
    const pixels = new Uint8Array(count * sampleSize);
    for (let i = 0; i < pixels.length; i++) pixels[i] = toByte((values[i] + 3) / 6);
    return { count, height: 1, width: sampleSize, channels: 1, pixels: base64(pixels) };
  }
  const [height, width, depth] = shape;
  // Images are in [0, 1]. Anything but grey or RGB shows its first channel.
  const channels: 1 | 3 = depth === 3 ? 3 : 1;
  const pixels = new Uint8Array(count * height * width * channels);
  if (channels === depth) {
    for (let i = 0; i < pixels.length; i++) pixels[i] = toByte(values[i]);
  } else {
    for (let p = 0, n = count * height * width; p < n; p++) pixels[p] = toByte(values[p * depth]);
  }
  return { count, height, width, channels, pixels: base64(pixels) };
}

/**
 * Text samples are [maxLength, vocabulary] rows of one-hot inputs or softmax outputs: each
 * position's most likely character, up to the end-of-sequence symbol (index 1); padding (0) is skipped.
 */
export function decodeTexts(values: Float32Array, count: number, dataset: Pick<Dataset, 'inputShape' | 'vocabulary'>): string[] {
  const [maxLength, vocabularySize] = dataset.inputShape;
  const vocabulary = dataset.vocabulary ?? [];
  const texts: string[] = [];
  for (let s = 0; s < count; s++) {
    let text = '';
    for (let t = 0; t < maxLength; t++) {
      const offset = (s * maxLength + t) * vocabularySize;
      let best = 0;
      for (let v = 1; v < vocabularySize; v++) if (values[offset + v] > values[offset + best]) best = v;
      if (best === 1) break;
      if (best === 0) continue;
      text += vocabulary[best] ?? '';
    }
    texts.push(text);
  }
  return texts;
}

function toByte(value: number): number {
  // NaN (a diverged model) shows as black rather than poisoning the picture.
  if (!(value > 0)) return 0;
  if (value >= 1) return 255;
  return Math.round(value * 255);
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
