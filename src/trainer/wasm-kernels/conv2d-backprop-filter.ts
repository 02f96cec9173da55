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
