import * as tf from '@tensorflow/tfjs';

/** The smallest probability the loss reads (a character the softmax rounds to 0 costs ~69, not infinity). */
const SMALLEST_PROBABILITY = 1e-30;

/**
 * Cross-entropy of each row's logits against its target class, as one differentiable op built on the
 * backend's own Softmax kernel: forward -log(softmax[target]), backward (softmax - one-hot) * dy. On
 * wasm the Softmax is XNNPACK's vectorized pass (9 ms for the Tang couplets' [1,700, 2,659] logits),
 * where a JS pass over the rows cost ~100 ms forward, plus copying the logits out and the gradient
 * back in (~30 ms), and composing logSoftmax, oneHot, mul and sum ~10 kernels each way.
 */
export function softmaxCrossEntropy(logits: tf.Tensor2D, targets: Int32Array): tf.Tensor1D {
  const [rows, classes] = logits.shape;
  if (targets.length !== rows) throw new Error(`softmaxCrossEntropy: ${targets.length} targets for ${rows} rows`);
  const forward = (input: tf.Tensor, save: tf.GradSaveFunc) => {
    // Runs inside the engine's tidy: only the returned value and the saved softmax outlive it.
    const probabilities = tf.softmax(input);
    save([probabilities]);
    const positions = tf.tensor1d(Int32Array.from(targets, (target, row) => row * classes + target), 'int32');
    const picked = tf.gather(tf.reshape(probabilities, [-1]), positions);
    const value = tf.neg(tf.log(tf.maximum(picked, SMALLEST_PROBABILITY)));
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) =>
      tf.tidy(() => {
        // wasm's OneHot writes int32 whatever dtype it is asked for: cast explicitly.
        const oneHot = tf.cast(tf.oneHot(tf.tensor1d(targets, 'int32'), classes), 'float32');
        return tf.mul(tf.sub(saved[0], oneHot), tf.expandDims(dy, 1));
      });
    return { value, gradFunc };
  };
  return tf.customGrad(forward as unknown as Parameters<typeof tf.customGrad<tf.Tensor1D>>[0])(logits) as tf.Tensor1D;
}
