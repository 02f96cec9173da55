import * as tf from '@tensorflow/tfjs';
import { KernelScope, withFastPath } from './compose';

/**
 * ResizeNearestNeighborGrad for whole-number upscaling (UpSampling2D) without tfjs-backend-wasm
 * 4.22's naive loop: each source pixel receives the sum of its k x k block of dy, which is
 * XNNPACK's average pooling (k x k, stride k) times k^2.
 */
export function resizeNearestNeighborGradKernel(original: tf.KernelConfig): tf.KernelConfig | undefined {
  return withFastPath(original, ({ inputs, backend, attrs }) => {
    const { images, dy } = inputs as unknown as { images: tf.TensorInfo; dy: tf.TensorInfo };
    const { alignCorners, halfPixelCenters } = attrs as unknown as tf.ResizeNearestNeighborGradAttrs;
    const [, height, width] = images.shape;
    const [, outHeight, outWidth] = dy.shape;
    const kh = outHeight / height;
    const kw = outWidth / width;
    if (alignCorners || halfPixelCenters || !Number.isInteger(kh) || !Number.isInteger(kw) || dy.dtype !== 'float32') return undefined;
    const scope = new KernelScope(original.backendName, backend);
    const mean = scope.temp('AvgPool', { x: dy }, { filterSize: [kh, kw], strides: [kh, kw], pad: 'valid', dimRoundingMode: undefined } as unknown as tf.NamedAttrMap);
    const blockSize = scope.temp('Fill', {}, { shape: [], value: kh * kw, dtype: 'float32' });
    const dx = scope.run('Multiply', { a: mean, b: blockSize });
    scope.dispose();
    return dx;
  });
}
