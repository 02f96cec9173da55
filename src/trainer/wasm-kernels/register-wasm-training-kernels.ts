import * as tf from '@tensorflow/tfjs';
import { adamUpdateKernel } from './adam-update';
import { transposeFirstMatMulKernel } from './batch-mat-mul-transposed';
import { conv2dBackpropFilterKernel } from './conv2d-backprop-filter';
import { conv2dBackpropInputKernel } from './conv2d-backprop-input';
import { maxPoolGradKernel } from './max-pool-grad';
import { resizeNearestNeighborGradKernel } from './resize-nearest-neighbor-grad';
import { sliceKernel, splitVKernel } from './slice';
import { sumKernel } from './sum';
import { tileKernel } from './tile';
import { unsortedSegmentSumKernel } from './unsorted-segment-sum';

/**
 * Registers, for the wasm backend, the kernels that training needs and tfjs-backend-wasm 4.22
 * lacks (Conv2DBackpropFilter, UnsortedSegmentSum) plus FusedAdam's one-pass update, and wraps the gradient kernels it implements
 * with naive loops (transposed matMul, Conv2DBackpropInput, MaxPoolGrad, ResizeNearestNeighborGrad, Tile)
 * with paths through its XNNPACK-backed kernels, Sum over leading axes (bias gradients) as one pass over the heap, and Slice / SplitV with copies that do not read the
 * whole input first. Call before the backend initialises (setup
 * functions run then). Idempotent; kernels the backend gains in a later version are left alone.
 */
export function registerWasmTrainingKernels(backendName = 'wasm'): void {
  for (const kernel of [conv2dBackpropFilterKernel(backendName), unsortedSegmentSumKernel(backendName), adamUpdateKernel(backendName)]) {
    if (tf.getKernel(kernel.kernelName, backendName) == null) tf.registerKernel(kernel);
  }
  const fastPaths: Array<[string, (original: tf.KernelConfig) => tf.KernelConfig | undefined]> = [
    [tf.BatchMatMul, transposeFirstMatMulKernel],
    [tf._FusedMatMul, transposeFirstMatMulKernel],
    [tf.Conv2DBackpropInput, conv2dBackpropInputKernel],
    [tf.MaxPoolGrad, maxPoolGradKernel],
    [tf.ResizeNearestNeighborGrad, resizeNearestNeighborGradKernel],
    [tf.Tile, tileKernel],
    [tf.Slice, sliceKernel],
    [tf.SplitV, splitVKernel],
    [tf.Sum, sumKernel],
  ];
  for (const [kernelName, wrap] of fastPaths) {
    const original = tf.getKernel(kernelName, backendName);
    const wrapped = original && wrap(original);
    if (wrapped) {
      tf.unregisterKernel(kernelName, backendName);
      tf.registerKernel(wrapped);
    }
  }
}

/**
 * The cpu backend of tfjs 4.22 computes ResizeNearestNeighborGrad wrongly for batches of more than
 * one (the UpSampling2D gradient of the conv preset); the same block-sum path fixes it there.
 */
export function registerCpuKernelFixes(backendName = 'cpu'): void {
  const original = tf.getKernel(tf.ResizeNearestNeighborGrad, backendName);
  const wrapped = original && resizeNearestNeighborGradKernel(original);
  if (wrapped) {
    tf.unregisterKernel(tf.ResizeNearestNeighborGrad, backendName);
    tf.registerKernel(wrapped);
  }
}
