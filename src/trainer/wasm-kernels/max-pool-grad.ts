import * as tf from '@tensorflow/tfjs';
import { withFastPath } from './compose';
import { float32View, isHeapBackend } from './heap-backend';

/**
 * MaxPoolGrad for non-overlapping windows (pool size = stride, 'valid' padding: the conv preset's
 * MaxPool 2), without tfjs-backend-wasm 4.22's naive loop: each window's gradient goes to the first
 * position (row-major) holding its maximum, as on the cpu backend. One pass over the input in
 * plain JS on the wasm heap: measured 5-10x faster than composing it from wasm kernels
 * (transposes, ArgMax, OneHot), which made MaxPoolGrad 17% of a conv-preset epoch
 * (bench/experiments/kernel-times.ts, identity-by-reference.ts MODES=copy,maxpool-loop).
 * (wasm's MaxPoolWithArgmax would be cheaper but is unusable: it starts its maximum at FLT_MIN,
 * so a window whose values are all <= 0 — every all-zero ReLU window — reports index 0.)
 */
export function maxPoolGradKernel(original: tf.KernelConfig): tf.KernelConfig | undefined {
  return withFastPath(original, ({ inputs, backend, attrs }) => {
    const { dy, input } = inputs as unknown as { dy: tf.TensorInfo; input: tf.TensorInfo };
    const { filterSize, strides, pad } = attrs as unknown as tf.MaxPoolGradAttrs;
    const [fh, fw] = typeof filterSize === 'number' ? [filterSize, filterSize] : filterSize;
    const [sh, sw] = typeof strides === 'number' ? [strides, strides] : strides;
    const [batch, height, width, channels] = input.shape;
    const divisible = height % sh === 0 && width % sw === 0;
    // 'valid' drops the rows and columns that do not fill a window; 'same' would pad them instead.
    const noPadding = pad === 'valid' || pad === 0 || (pad === 'same' && divisible);
    if (fh !== sh || fw !== sw || !noPadding || input.dtype !== 'float32' || dy.dtype !== 'float32') return undefined;
    if (!isHeapBackend(backend)) return undefined;
    const rows = Math.floor(height / sh);
    const cols = Math.floor(width / sw);
    const out = backend.makeOutput([...input.shape], 'float32');
    const x = float32View(backend, input);
    const g = float32View(backend, dy);
    const dx = float32View(backend, out);
    dx.fill(0); // the heap is reused: positions that are not a window's maximum get 0
    for (let b = 0; b < batch; b++) {
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < cols; c++) {
          const corner = ((b * height + r * sh) * width + c * sw) * channels;
          const window = ((b * rows + r) * cols + c) * channels;
          for (let ch = 0; ch < channels; ch++) {
            let best = corner + ch;
            let value = x[best];
            for (let i = 0; i < sh; i++) {
              for (let j = 0; j < sw; j++) {
                const position = corner + (i * width + j) * channels + ch;
                if (x[position] > value) {
                  value = x[position];
                  best = position;
                }
              }
            }
            dx[best] = g[window + ch];
          }
        }
      }
    }
    return out;
  });
}
