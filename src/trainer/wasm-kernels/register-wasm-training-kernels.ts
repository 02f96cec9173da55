import * as tf from '@tensorflow/tfjs';
import { conv2dBackpropFilterKernel } from './conv2d-backprop-filter';
import { unsortedSegmentSumKernel } from './unsorted-segment-sum';

/**
 * Registers, for the wasm backend, the kernels that training needs and tfjs-backend-wasm 4.22
 * lacks. Idempotent; kernels the backend gains in a later version are left alone.
 */
export function registerWasmTrainingKernels(backendName = 'wasm'): void {
  for (const kernel of [conv2dBackpropFilterKernel(backendName), unsortedSegmentSumKernel(backendName)]) {
    if (tf.getKernel(kernel.kernelName, backendName) == null) tf.registerKernel(kernel);
  }
}
