// Experiment: faster conv-preset gradient kernels for wasm, compared with the registered ones on the
// conv preset's own shapes (same process, interleaved, median of repeats), and checked for equality.
//   node --import tsx bench/experiments/conv-grad-kernels.ts
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/trainer/backend';

/** The wasm backend's heap access (what its own kernels use). */
interface WasmBackend {
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}

/** MaxPoolGrad, 2x2 windows, stride 2, 'valid', NHWC: dy goes to the first maximum of its window. */
export function maxPoolGrad2x2(backend: WasmBackend, dy: tf.TensorInfo, input: tf.TensorInfo): tf.TensorInfo {
  const [batch, height, width, channels] = input.shape;
  const rows = dy.shape[1];
  const cols = dy.shape[2];
  const out = backend.makeOutput([...input.shape], 'float32');
  const x = backend.typedArrayFromHeap(input);
  const g = backend.typedArrayFromHeap(dy);
  const dx = backend.typedArrayFromHeap(out);
  dx.fill(0);
  const rowStride = width * channels;
  for (let b = 0; b < batch; b++) {
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const topLeft = ((b * height + 2 * r) * width + 2 * c) * channels;
        const gBase = ((b * rows + r) * cols + c) * channels;
        for (let ch = 0; ch < channels; ch++) {
          const p0 = topLeft + ch;
          const p1 = p0 + channels;
          const p2 = p0 + rowStride;
          const p3 = p2 + channels;
          let best = p0;
          let value = x[p0];
          if (x[p1] > value) {
            best = p1;
            value = x[p1];
          }
          if (x[p2] > value) {
            best = p2;
            value = x[p2];
          }
          if (x[p3] > value) best = p3;
          dx[best] = g[gBase + ch];
        }
      }
    }
  }
  return out;
}

/**
 * Conv2DBackpropFilter for stride 1, 'same' padding, odd square kernels, NHWC, as plain loops:
 * dW[i, j, c, o] = sum over b, y, x of x[b, y + i - p, x + j - p, c] * dy[b, y, x, o].
 */
export function conv2dBackpropFilterSame(backend: WasmBackend, xInfo: tf.TensorInfo, dyInfo: tf.TensorInfo, k: number): tf.TensorInfo {
  const [batch, height, width, inC] = xInfo.shape;
  const outC = dyInfo.shape[3];
  const p = (k - 1) >> 1;
  const out = backend.makeOutput([k, k, inC, outC], 'float32');
  const x = backend.typedArrayFromHeap(xInfo);
  const dy = backend.typedArrayFromHeap(dyInfo);
  const acc = new Float64Array(k * k * inC * outC);
  for (let b = 0; b < batch; b++) {
    for (let yy = 0; yy < height; yy++) {
      for (let xx = 0; xx < width; xx++) {
        const dyBase = ((b * height + yy) * width + xx) * outC;
        for (let i = 0; i < k; i++) {
          const sy = yy + i - p;
          if (sy < 0 || sy >= height) continue;
          for (let j = 0; j < k; j++) {
            const sx = xx + j - p;
            if (sx < 0 || sx >= width) continue;
            const xBase = ((b * height + sy) * width + sx) * inC;
            const wBase = (i * k + j) * inC * outC;
            for (let c = 0; c < inC; c++) {
              const xv = x[xBase + c];
              if (xv === 0) continue; // ReLU outputs: often zero
              const row = wBase + c * outC;
              for (let o = 0; o < outC; o++) acc[row + o] += xv * dy[dyBase + o];
            }
          }
        }
      }
    }
  }
  backend.typedArrayFromHeap(out).set(acc);
  return out;
}

/**
 * The same as 9 matrix products on XNNPACK: dW[i, j] = dyT [O, BHW] x shift_ij(x) [BHW, C], where
 * shift_ij(x) is a slice of the zero-padded x. dy is transposed once; each tap costs one slice copy.
 */
export function conv2dBackpropFilterByTaps(xInfo: tf.Tensor4D, dyInfo: tf.Tensor4D, k: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [batch, height, width, inC] = xInfo.shape;
    const outC = dyInfo.shape[3];
    const p = (k - 1) >> 1;
    const padded = tf.pad(xInfo, [[0, 0], [p, p], [p, p], [0, 0]]);
    const dyT = tf.transpose(tf.reshape(dyInfo, [batch * height * width, outC])); // [O, BHW]
    const taps: tf.Tensor[] = [];
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        const shifted = tf.reshape(tf.slice(padded, [0, i, j, 0], [batch, height, width, inC]), [batch * height * width, inC]);
        taps.push(tf.matMul(dyT, shifted)); // [O, C]
      }
    }
    return tf.transpose(tf.reshape(tf.stack(taps), [k, k, outC, inC]), [0, 1, 3, 2]) as tf.Tensor4D;
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main(): Promise<void> {
  await initBackend('wasm');
  const backend = tf.backend() as unknown as WasmBackend;
  const time = (f: () => tf.TensorInfo | tf.Tensor, reps = 7): number[] => {
    const ms: number[] = [];
    for (let r = 0; r < reps; r++) {
      const t0 = performance.now();
      const out = f();
      ms.push(performance.now() - t0);
      if (out instanceof tf.Tensor) out.dispose();
      else tf.engine().backend.disposeData(out.dataId);
    }
    return ms;
  };
  const maxDiff = (a: Float32Array | Int32Array | Uint8Array, b: Float32Array | Int32Array | Uint8Array) => {
    let m = 0;
    for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
    return m;
  };

  // MaxPoolGrad on the conv preset's shapes (ReLU outputs: many ties at 0).
  for (const [h, c] of [[28, 16], [14, 8]]) {
    const input = tf.relu(tf.randomNormal([128, h, h, c])) as tf.Tensor4D;
    const dy = tf.randomNormal([128, h / 2, h / 2, c]) as tf.Tensor4D;
    const reference = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid'), dy)))(input);
    const mine = maxPoolGrad2x2(backend, dy, input);
    const diff = maxDiff(reference.dataSync(), backend.typedArrayFromHeap(mine));
    tf.engine().backend.disposeData(mine.dataId);
    const registered = tf.getKernel('MaxPoolGrad', 'wasm')!;
    const a = time(() => registered.kernelFunc({ inputs: { dy, input, output: tf.maxPool(input, 2, 2, 'valid') }, backend: tf.backend(), attrs: { filterSize: 2, strides: 2, pad: 'valid' } }) as tf.TensorInfo);
    const b = time(() => maxPoolGrad2x2(backend, dy, input));
    console.log(`MaxPoolGrad [128,${h},${h},${c}]: registered ${median(a).toFixed(2)} ms, JS loop ${median(b).toFixed(2)} ms, max |diff| ${diff}`);
  }

  // Conv2DBackpropFilter on the conv preset's five layers.
  for (const [h, inC, outC] of [[28, 1, 16], [14, 16, 8], [7, 8, 8], [14, 8, 16], [28, 16, 1]]) {
    const x = tf.relu(tf.randomNormal([128, h, h, inC])) as tf.Tensor4D;
    const dy = tf.randomNormal([128, h, h, outC]) as tf.Tensor4D;
    const registered = tf.getKernel('Conv2DBackpropFilter', 'wasm')!;
    const attrs = { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: [3, 3, inC, outC] };
    const ref = registered.kernelFunc({ inputs: { x, dy }, backend: tf.backend(), attrs: attrs as unknown as tf.NamedAttrMap }) as tf.TensorInfo;
    const refValues = backend.typedArrayFromHeap(ref).slice();
    tf.engine().backend.disposeData(ref.dataId);
    const loop = conv2dBackpropFilterSame(backend, x, dy, 3);
    const loopDiff = maxDiff(refValues, backend.typedArrayFromHeap(loop));
    tf.engine().backend.disposeData(loop.dataId);
    const taps = conv2dBackpropFilterByTaps(x, dy, 3);
    const tapsDiff = maxDiff(refValues, taps.dataSync());
    taps.dispose();
    const a = time(() => registered.kernelFunc({ inputs: { x, dy }, backend: tf.backend(), attrs: attrs as unknown as tf.NamedAttrMap }) as tf.TensorInfo);
    const b = time(() => conv2dBackpropFilterSame(backend, x, dy, 3));
    const c = time(() => conv2dBackpropFilterByTaps(x, dy, 3));
    const scale = Math.max(...refValues.map(Math.abs));
    console.log(
      `Conv2DBackpropFilter x[128,${h},${h},${inC}] dy[..,${outC}]: registered ${median(a).toFixed(2)} ms, JS loop ${median(b).toFixed(2)} ms (|diff| ${(loopDiff / scale).toExponential(1)} rel), ` +
        `9 taps on XNNPACK ${median(c).toFixed(2)} ms (|diff| ${(tapsDiff / scale).toExponential(1)} rel)`,
    );
  }
}
if (require.main === module) void main();
