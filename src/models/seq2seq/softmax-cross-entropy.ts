import * as tf from '@tensorflow/tfjs';

/**
 * Cross-entropy of each row's logits against its target class, as one differentiable op: one pass
 * over the rows for log-sum-exp (forward) and softmax minus one-hot (backward). Composed of tf ops
 * (logSoftmax, oneHot, mul, sum) it took ~10 kernels over [rows, vocabulary] each way, and wasm's
 * element-wise Exp, Sub and Sum over a vocabulary of thousands of characters cost more than the
 * output layer's matrix products (bench/experiments/sequence-step.ts on the Tang couplets).
 */
export function softmaxCrossEntropy(logits: tf.Tensor2D, targets: Int32Array): tf.Tensor1D {
  const [rows, classes] = logits.shape;
  if (targets.length !== rows) throw new Error(`softmaxCrossEntropy: ${targets.length} targets for ${rows} rows`);
  const forward = (input: tf.Tensor) => {
    const values = input.dataSync() as Float32Array; // read only: on cpu this is the tensor's own buffer
    const losses = new Float32Array(rows);
    // The softmax, kept for the gradient.
    const probabilities = new Float32Array(values.length);
    for (let r = 0; r < rows; r++) {
      const offset = r * classes;
      let max = -Infinity;
      for (let c = 0; c < classes; c++) if (values[offset + c] > max) max = values[offset + c];
      let sum = 0;
      for (let c = 0; c < classes; c++) {
        const e = Math.exp(values[offset + c] - max);
        probabilities[offset + c] = e;
        sum += e;
      }
      const target = targets[r];
      losses[r] = Math.log(sum) - Math.log(probabilities[offset + target]);
      const scale = 1 / sum;
      for (let c = 0; c < classes; c++) probabilities[offset + c] *= scale;
    }
    const gradFunc = (dy: tf.Tensor) => {
      const upstream = dy.dataSync();
      // The gradient takes the softmax's place (rows × vocabulary: 17 MB a batch for the Tang couplets); the tape calls this once.
      const gradient = probabilities;
      for (let r = 0; r < rows; r++) {
        const offset = r * classes;
        const g = upstream[r];
        for (let c = 0; c < classes; c++) gradient[offset + c] *= g;
        gradient[offset + targets[r]] -= g;
      }
      return tf.tensor2d(gradient, [rows, classes]);
    };
    return { value: tf.tensor1d(losses), gradFunc };
  };
  return tf.customGrad(forward as unknown as Parameters<typeof tf.customGrad<tf.Tensor1D>>[0])(logits) as tf.Tensor1D;
}
