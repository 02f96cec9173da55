import * as tf from '@tensorflow/tfjs';
import { KernelScope, withFastPath } from './compose';

/**
 * Conv2DBackpropInput (the input gradient of Conv2D, and the forward pass of Conv2DTranspose) on
 * XNNPACK's convolution instead of tfjs-backend-wasm 4.22's naive loop (15-20x slower):
 *
 *   dx = conv2d(dy dilated by the stride, the filter flipped in space with in/out channels swapped,
 *               stride 1, padding (k - 1 - pad) before and whatever makes the output x-sized after)
 *
 * Cases outside that formula (negative padding, NCHW) go to the original kernel.
 */
export function conv2dBackpropInputKernel(original: tf.KernelConfig): tf.KernelConfig | undefined {
  return withFastPath(original, ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs as unknown as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as tf.Conv2DBackpropInputAttrs;
    if (dataFormat !== undefined && dataFormat !== 'NHWC') return undefined;
    const info = tf.backend_util.computeConv2DInfo(inputShape, filter.shape as [number, number, number, number], strides, 1, pad, dimRoundingMode);
    const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw, outHeight, outWidth, inHeight, inWidth } = info;
    const [batch, , , outChannels] = dy.shape;
    const { top, left } = info.padInfo;
    const padTop = kh - 1 - top;
    const padLeft = kw - 1 - left;
    // Rows of the dilated dy (stride - 1 zeros after every row, including the last).
    const dilatedHeight = outHeight * sh;
    const dilatedWidth = outWidth * sw;
    const padBottom = inHeight + kh - 1 - padTop - dilatedHeight;
    const padRight = inWidth + kw - 1 - padLeft - dilatedWidth;
    if (padTop < 0 || padLeft < 0) return undefined;

    const scope = new KernelScope(original.backendName, backend);
    let input = dy;
    if (sh > 1 || sw > 1) {
      const spread = scope.temp('Reshape', { x: dy }, { shape: [batch, outHeight, 1, outWidth, 1, outChannels] });
      const padded = scope.temp('PadV2', { x: spread }, { paddings: [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]], constantValue: 0 });
      input = scope.temp('Reshape', { x: padded }, { shape: [batch, dilatedHeight, dilatedWidth, outChannels] });
    }
    if (padBottom < 0 || padRight < 0) {
      // Trailing zeros (and, for 'valid' with leftover rows, nothing else) beyond what the output needs.
      const height = dilatedHeight + Math.min(padBottom, 0);
      const width = dilatedWidth + Math.min(padRight, 0);
      input = scope.temp('Slice', { x: input }, { begin: [0, 0, 0, 0], size: [batch, height, width, outChannels] });
    }
    const flipped = scope.temp('Reverse', { x: filter }, { dims: [0, 1] });
    const swapped = scope.temp('Transpose', { x: flipped }, { perm: [0, 1, 3, 2] }); // [kh, kw, out, in]
    const dx = scope.run(
      'Conv2D',
      { x: input, filter: swapped },
      {
        strides: [1, 1],
        pad: [
          [0, 0],
          [padTop, Math.max(padBottom, 0)],
          [padLeft, Math.max(padRight, 0)],
          [0, 0],
        ],
        dataFormat: 'NHWC',
        dilations: [1, 1],
      },
    );
    scope.dispose();
    return dx;
  });
}
