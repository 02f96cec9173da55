import * as tf from '@tensorflow/tfjs';
import { KernelScope, withFastPath } from './compose';

/**
 * MaxPoolGrad for non-overlapping windows (pool size = stride, 'valid' padding: the conv preset's
 * MaxPool 2), without tfjs-backend-wasm 4.22's naive loop: each window's gradient goes to the first
 * position holding its maximum (as on the cpu backend), found by ArgMax over the window laid out
 * last: reshape/transpose x to [..., window], OneHot(ArgMax) * dy, and back.
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
    if (fh !== sh || fw !== sw || !noPadding || input.dtype !== 'float32') return undefined;
    const rows = Math.floor(height / sh);
    const cols = Math.floor(width / sw);
    const windows = batch * rows * cols * channels;
    const scope = new KernelScope(original.backendName, backend);
    const covered = divisible ? input : scope.temp('Slice', { x: input }, { begin: [0, 0, 0, 0], size: [batch, rows * sh, cols * sw, channels] });
    const blocks = scope.temp('Reshape', { x: covered }, { shape: [batch, rows, sh, cols, sw, channels] });
    const windowLast = scope.temp('Transpose', { x: blocks }, { perm: [0, 1, 3, 5, 2, 4] }); // [b, r, c, ch, sh, sw]
    const flat = scope.temp('Reshape', { x: windowLast }, { shape: [windows, sh * sw] });
    const winner = scope.temp('ArgMax', { x: flat }, { axis: 1 });
    const chosenInt = scope.temp('OneHot', { indices: winner }, { depth: sh * sw, onValue: 1, offValue: 0, dtype: 'int32' });
    const chosen = scope.temp('Cast', { x: chosenInt }, { dtype: 'float32' });
    const dyColumn = scope.temp('Reshape', { x: dy }, { shape: [windows, 1] });
    const routed = scope.temp('Multiply', { a: chosen, b: dyColumn });
    const routedBlocks = scope.temp('Reshape', { x: routed }, { shape: [batch, rows, cols, channels, sh, sw] });
    const back = scope.temp('Transpose', { x: routedBlocks }, { perm: [0, 1, 4, 2, 5, 3] }); // [b, r, sh, c, sw, ch]
    let dx: tf.TensorInfo;
    if (divisible) {
      dx = scope.run('Reshape', { x: back }, { shape: [batch, height, width, channels] });
    } else {
      const coveredGrad = scope.temp('Reshape', { x: back }, { shape: [batch, rows * sh, cols * sw, channels] });
      dx = scope.run('PadV2', { x: coveredGrad }, { paddings: [[0, 0], [0, height - rows * sh], [0, width - cols * sw], [0, 0]], constantValue: 0 });
    }
    scope.dispose();
    return dx;
  });
}
