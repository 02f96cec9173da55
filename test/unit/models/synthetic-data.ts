import * as tf from '@tensorflow/tfjs';
import { mulberry32 as prng } from '../../../src/data/random';

/** Images in [0, 1] that are mixtures of three fixed patterns: structure an autoencoder can learn. */
export function syntheticImages(count: number, shape: readonly number[], seed = 1): tf.Tensor {
  const random = prng(seed);
  const features = shape.reduce((a, b) => a * b, 1);
  const patterns = Array.from({ length: 3 }, () => Float32Array.from({ length: features }, () => random()));
  const values = new Float32Array(count * features);
  for (let n = 0; n < count; n++) {
    const weights = [random(), random(), random()];
    const total = weights[0] + weights[1] + weights[2];
    for (let f = 0; f < features; f++) {
      values[n * features + f] = (weights[0] * patterns[0][f] + weights[1] * patterns[1][f] + weights[2] * patterns[2][f]) / total;
    }
  }
  return tf.tensor(values, [count, ...shape]);
}

/** Standardized-looking tabular rows: two latent factors spread over the columns plus a little noise. */
export function syntheticTable(count: number, columns: number, seed = 2): tf.Tensor2D {
  const random = prng(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());
  const loadings = Array.from({ length: 2 }, () => Array.from({ length: columns }, gaussian));
  const values = new Float32Array(count * columns);
  for (let n = 0; n < count; n++) {
    const a = gaussian();
    const b = gaussian();
    for (let c = 0; c < columns; c++) values[n * columns + c] = (a * loadings[0][c] + b * loadings[1][c]) / 1.5 + 0.1 * gaussian();
  }
  return tf.tensor2d(values, [count, columns]);
}

/** One-hot text: words of a few letters, index 0 = padding, 1 = end of word, letters from 2. */
/** Lines of a few three-letter words as stored text samples: character indices (2 + letter), end mark 1, padding 0. */
export function syntheticText(count: number, length: number, vocabulary: number, seed = 3): tf.Tensor2D {
  const random = prng(seed);
  const words = ['abc', 'bca', 'cab', 'aab', 'bbc', 'cca'];
  const values = new Float32Array(count * length);
  for (let n = 0; n < count; n++) {
    const word = words[Math.floor(random() * words.length)];
    for (let p = 0; p < length; p++) values[n * length + p] = p < word.length ? 3 + ((word.charCodeAt(p) - 97) % (vocabulary - 3)) : p === word.length ? 1 : 0;
  }
  return tf.tensor2d(values, [count, length]);
}
