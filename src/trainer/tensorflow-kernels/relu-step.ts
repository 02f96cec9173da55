import * as tf from '@tensorflow/tfjs';

/**
 * tfjs-node's Step (relu's gradient is dy · step(x)) builds a tensor of ones and one filled with alpha,
 * both the input's size, in JS on every call: 21% of a conv epoch on tensorflow (bench/README.md).
 * For alpha 0 on float32, sign(relu(x)) gives the same 0 and 1 in two native ops. Other alphas and
 * dtypes keep tfjs-node's kernel.
 */
export function reluStepKernel(original: tf.KernelConfig): tf.KernelConfig {
  return {
    ...original,
    kernelFunc: (args) => {
      const x = args.inputs.x as tf.Tensor;
      const { alpha } = args.attrs as { alpha?: number };
      if ((alpha ?? 0) !== 0 || x.dtype !== 'float32') return original.kernelFunc(args);
      return tf.tidy(() => tf.sign(tf.relu(x)));
    },
  };
}
