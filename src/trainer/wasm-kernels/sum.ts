import * as tf from '@tensorflow/tfjs';
import { product } from '../../data/dataset';
import { withFastPath } from './compose';
import { float32View, isHeapBackend } from './heap-backend';

/**
 * Sum over the leading axes (every bias gradient: dy [rows, units] summed over the rows) as one pass
 * over the wasm heap, instead of tfjs-backend-wasm 4.22's transpose and reduce: 28 against 11 ms for
 * the sequence preset's output bias on the Tang couplets ([1,700, 2,659]). (A product ones · x would
 * be as fast only once: XNNPACK packs x as a weight matrix first, ~100 ms for that size.)
 */
export function sumKernel(original: tf.KernelConfig): tf.KernelConfig | undefined {
  return withFastPath(original, ({ inputs, backend, attrs }) => {
    const { x } = inputs as unknown as { x: tf.TensorInfo };
    const { axis, keepDims } = attrs as unknown as tf.SumAttrs;
    const rank = x.shape.length;
    const axes = (Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + rank : a)).sort((a, b) => a - b);
    const leading = axes.length > 0 && axes.length < rank && axes.every((a, i) => a === i);
    if (x.dtype !== 'float32' || !leading || !isHeapBackend(backend)) return undefined;
    const rows = product(x.shape.slice(0, axes.length));
    const rest = x.shape.slice(axes.length);
    const columns = product(rest);
    const values = float32View(backend, x);
    const sums = new Float64Array(columns);
    // Four rows a pass: a quarter of the loads and stores of the sums.
    let r = 0;
    for (; r + 4 <= rows; r += 4) {
      const a = r * columns;
      const b = a + columns;
      const d = b + columns;
      const e = d + columns;
      for (let c = 0; c < columns; c++) sums[c] += values[a + c] + values[b + c] + values[d + c] + values[e + c];
    }
    for (; r < rows; r++) {
      const offset = r * columns;
      for (let c = 0; c < columns; c++) sums[c] += values[offset + c];
    }
    const out = backend.makeOutput(keepDims ? [...axes.map(() => 1), ...rest] : rest, 'float32');
    float32View(backend, out).set(sums);
    return out;
  });
}
