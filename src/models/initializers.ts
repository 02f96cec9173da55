import * as tf from '@tensorflow/tfjs';
import type { SeedSequence } from './seeds';

/** Keras's defaults (Glorot uniform kernels, zero biases), seeded so the same seed gives the same model. */
export function seededLayerInit(seeds: SeedSequence): { kernelInitializer: ReturnType<typeof tf.initializers.glorotUniform>; biasInitializer: 'zeros' } {
  return { kernelInitializer: tf.initializers.glorotUniform({ seed: seeds.next() }), biasInitializer: 'zeros' };
}

/**
 * A seeded orthogonal matrix (rows orthonormal when rows <= cols, else columns), Keras's default for
 * recurrent kernels. Computed in plain JS by Gram-Schmidt: tfjs's own orthogonal initializer runs a
 * slow op-by-op QR and warns on every matrix above 2,000 elements.
 */
export function orthogonalMatrix(rows: number, cols: number, seed: number): tf.Tensor2D {
  const short = Math.min(rows, cols);
  const long = Math.max(rows, cols);
  // Read outside tf.tidy: a typed array returned from tidy is walked index by index (~0.5 s for 256 units).
  const draws = tf.randomNormal([short, long], 0, 1, 'float32', seed);
  const normal = draws.dataSync() as Float32Array;
  draws.dispose();
  const vectors: Float64Array[] = [];
  for (let i = 0; i < short; i++) {
    const v = Float64Array.from(normal.subarray(i * long, (i + 1) * long));
    for (const u of vectors) {
      let dot = 0;
      for (let k = 0; k < long; k++) dot += v[k] * u[k];
      for (let k = 0; k < long; k++) v[k] -= dot * u[k];
    }
    let norm = 0;
    for (let k = 0; k < long; k++) norm += v[k] * v[k];
    norm = Math.sqrt(norm) || 1;
    for (let k = 0; k < long; k++) v[k] /= norm;
    vectors.push(v);
  }
  const values = new Float32Array(rows * cols);
  for (let i = 0; i < short; i++) {
    for (let k = 0; k < long; k++) {
      // rows <= cols: vector i is row i; otherwise it is column i.
      if (rows <= cols) values[i * cols + k] = vectors[i][k];
      else values[k * cols + i] = vectors[i][k];
    }
  }
  return tf.tensor2d(values, [rows, cols]);
}
