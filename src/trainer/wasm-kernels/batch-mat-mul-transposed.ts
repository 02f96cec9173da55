import type * as tf from '@tensorflow/tfjs';
import { KernelScope, withFastPath } from './compose';

/**
 * tfjs-backend-wasm 4.22 runs BatchMatMul / _FusedMatMul through XNNPACK only when neither operand
 * is transposed; with transposeA or transposeB (every weight and input gradient of a Dense layer) it
 * falls back to a naive blocked loop, about 20x slower for a 128x784x128 product. Transposing the
 * operand explicitly first (a cheap copy) and then multiplying untransposed takes the fast path.
 */
export function transposeFirstMatMulKernel(original: tf.KernelConfig): tf.KernelConfig | undefined {
  return withFastPath(original, ({ inputs, backend, attrs }) => {
    const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
    if (!transposeA && !transposeB) return undefined;
    const scope = new KernelScope(original.backendName, backend);
    const untransposed = (input: tf.TensorInfo): tf.TensorInfo => {
      const rank = input.shape.length;
      return scope.temp('Transpose', { x: input }, { perm: [...Array(rank - 2).keys(), rank - 1, rank - 2] });
    };
    const a = inputs.a as tf.TensorInfo;
    const b = inputs.b as tf.TensorInfo;
    const out = scope.run(original.kernelName, { ...inputs, a: transposeA ? untransposed(a) : a, b: transposeB ? untransposed(b) : b }, {
      ...attrs,
      transposeA: false,
      transposeB: false,
    });
    scope.dispose();
    return out;
  });
}
