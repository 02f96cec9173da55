import * as tf from '@tensorflow/tfjs';
import { KernelScope, withFastPath } from './compose';

/**
 * Tile (RepeatVector, the recurrent layers' initial states) through a broadcasting multiply instead
 * of tfjs-backend-wasm 4.22's element-by-element copy loop, ~100x slower for large outputs:
 *   x [d0, d1, ...] -> [1, d0, 1, d1, ...] * ones [r0, 1, r1, 1, ...] -> [r0 * d0, r1 * d1, ...]
 * Multiplying by one is exact for every float (including NaN, infinities and -0).
 */
export function tileKernel(original: tf.KernelConfig): tf.KernelConfig | undefined {
  return withFastPath(original, ({ inputs, backend, attrs }) => {
    const { x } = inputs as unknown as { x: tf.TensorInfo };
    const { reps } = attrs as unknown as tf.TileAttrs;
    if ((x.dtype !== 'float32' && x.dtype !== 'int32') || x.shape.length === 0 || x.shape.length > 3) return undefined; // wasm broadcasts up to rank 6
    const scope = new KernelScope(original.backendName, backend);
    const spread = scope.temp('Reshape', { x }, { shape: x.shape.flatMap((d) => [1, d]) });
    const ones = scope.temp('Fill', {}, { shape: reps.flatMap((r) => [r, 1]), value: 1, dtype: x.dtype });
    const tiled = scope.temp('Multiply', { a: spread, b: ones });
    const out = scope.run('Reshape', { x: tiled }, { shape: x.shape.map((d, i) => d * reps[i]) });
    scope.dispose();
    return out;
  });
}
