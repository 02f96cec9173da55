import * as tf from '@tensorflow/tfjs';
import { runBackendKernel, type DisposingBackend } from './compose';

/**
 * Conv2DBackpropFilter (the weight gradient of Conv2D, and of Conv2DTranspose with the roles of
 * x and dy swapped) for a backend that lacks it, built from that backend's own Transpose, Slice
 * and Conv2D kernels:
 *
 *   dW[i, j, c, o] = sum over b, y, x of  x[b, y*s + i - padTop, x*s + j - padLeft, c] * dy[b, y, x, o]
 *
 * which is a convolution of x (channels as batch, batch as channels: [C, H, W, B]) with dy
 * (as a filter: [outH, outW, B, O]) dilated by the stride, giving [C, kh, kw, O].
 * So the heavy lifting runs in the backend's optimised convolution (XNNPACK on wasm).
 */
export function conv2dBackpropFilterKernel(backendName: string): tf.KernelConfig {
  return {
    kernelName: tf.Conv2DBackpropFilter,
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, dy } = inputs as unknown as { x: tf.TensorInfo; dy: tf.TensorInfo };
      const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
      if (dataFormat !== undefined && dataFormat !== 'NHWC') {
        throw new Error(`Conv2DBackpropFilter on ${backendName} supports only NHWC data, got ${dataFormat}.`);
      }
      const owner = backend as DisposingBackend;
      const run = (name: string, kernelInputs: tf.NamedTensorInfoMap, kernelAttrs: tf.NamedAttrMap) =>
        runBackendKernel(backendName, owner, name, kernelInputs, kernelAttrs);
      const info = tf.backend_util.computeConv2DInfo(
        x.shape as [number, number, number, number],
        filterShape,
        strides,
        1,
        pad,
        dimRoundingMode,
      );
      const [batch, inHeight, inWidth, inChannels] = x.shape;
      const { strideHeight, strideWidth, outHeight, outWidth, filterHeight, filterWidth } = info;
      const { top, left } = info.padInfo;
      // Bottom/right padding that makes the output exactly filterHeight x filterWidth; negative
      // when 'valid' + stride leaves input rows unused: those rows are sliced off instead.
      const bottom = filterHeight + (outHeight - 1) * strideHeight - inHeight - top;
      const right = filterWidth + (outWidth - 1) * strideWidth - inWidth - left;

      if (strideHeight === 1 && strideWidth === 1 && inChannels > dy.shape[3]) {
        return swappedRoles(run, owner, x, dy, info);
      }
      const temporaries: tf.TensorInfo[] = [];
      let xT = run(tf.Transpose, { x }, { perm: [3, 1, 2, 0] }); // [C, H, W, B]
      temporaries.push(xT);
      if (bottom < 0 || right < 0) {
        xT = run(tf.Slice, { x: xT }, { begin: [0, 0, 0, 0], size: [inChannels, inHeight + Math.min(bottom, 0), inWidth + Math.min(right, 0), batch] });
        temporaries.push(xT);
      }
      const dyT = run(tf.Transpose, { x: dy }, { perm: [1, 2, 0, 3] }); // [outH, outW, B, O]
      temporaries.push(dyT);
      const convolved = run(
        tf.Conv2D,
        { x: xT, filter: dyT },
        {
          strides: [1, 1],
          pad: [
            [0, 0],
            [top, Math.max(bottom, 0)],
            [left, Math.max(right, 0)],
            [0, 0],
          ],
          dataFormat: 'NHWC',
          dilations: [strideHeight, strideWidth],
        },
      ); // [C, kh, kw, O]
      temporaries.push(convolved);
      const dW = run(tf.Transpose, { x: convolved }, { perm: [1, 2, 0, 3] }); // [kh, kw, C, O]
      for (const t of temporaries) owner.disposeData(t.dataId);
      return dW;
    },
  };
}

type Run = (name: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap) => tf.TensorInfo;

/**
 * Stride 1 with more input than output channels: the same sum as a convolution of dy (output
 * channels as batch, batch as channels: [O, outH, outW, B]) with x as the filter ([H, W, B, C]),
 * which gives the weight gradient flipped in space. Moving the few channels of dy, rather than
 * the many of x, makes the expensive transposes cheap (NHWC keeps x's channels contiguous).
 *   out[o, u, v, c] = sum over b, y, x of dy[b, y + u - padTop', x + v - padLeft', o] * x[b, y, x, c]
 * with padTop' = kh - 1 - top, so out[o, kh - 1 - i, kw - 1 - j, c] = dW[i, j, c, o].
 */
function swappedRoles(run: Run, owner: DisposingBackend, x: tf.TensorInfo, dy: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo {
  const { filterHeight: kh, filterWidth: kw, inHeight, inWidth, outHeight, outWidth } = info;
  const { top, left } = info.padInfo;
  const dyT = run(tf.Transpose, { x: dy }, { perm: [3, 1, 2, 0] }); // [O, outH, outW, B]
  const xAsFilter = run(tf.Transpose, { x }, { perm: [1, 2, 0, 3] }); // [H, W, B, C]
  const convolved = run(
    tf.Conv2D,
    { x: dyT, filter: xAsFilter },
    {
      strides: [1, 1],
      pad: [
        [0, 0],
        [kh - 1 - top, inHeight - outHeight + top],
        [kw - 1 - left, inWidth - outWidth + left],
        [0, 0],
      ],
      dataFormat: 'NHWC',
      dilations: [1, 1],
    },
  ); // [O, kh, kw, C], flipped in space
  const unflipped = run(tf.Reverse, { x: convolved }, { dims: [1, 2] });
  const dW = run(tf.Transpose, { x: unflipped }, { perm: [1, 2, 3, 0] }); // [kh, kw, C, O]
  for (const t of [dyT, xAsFilter, convolved, unflipped]) owner.disposeData(t.dataId);
  return dW;
}
