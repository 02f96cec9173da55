import * as tf from '@tensorflow/tfjs';
import { transposeFirstMatMulKernel } from './batch-mat-mul-transposed';
import { conv2dBackpropFilterKernel } from './conv2d-backprop-filter';
import { unsortedSegmentSumKernel } from './unsorted-segment-sum';

/**
 * Registers, for the wasm backend, the kernels that training needs and tfjs-backend-wasm 4.22
 * lacks, and swaps its matrix products for ones that take XNNPACK's fast path in backpropagation.
 * Call before the backend initialises (setup functions run then). Idempotent; kernels the backend
 * gains in a later version are left alone.
 */
export function registerWasmTrainingKernels(backendName = 'wasm'): void {
  for (const kernel of [conv2dBackpropFilterKernel(backendName), unsortedSegmentSumKernel(backendName)]) {
    if (tf.getKernel(kernel.kernelName, backendName) == null) tf.registerKernel(kernel);
  }
  for (const [kernelName, operands] of [
    [tf.BatchMatMul, { a: 'a', b: 'b' }],
    [tf._FusedMatMul, { a: 'a', b: 'b' }],
  ] as const) {
    const original = tf.getKernel(kernelName, backendName);
    const wrapped = original && transposeFirstMatMulKernel(original, operands);
    if (wrapped) {
      tf.unregisterKernel(kernelName, backendName);
      tf.registerKernel(wrapped);
    }
  }
}
