import type * as tf from '@tensorflow/tfjs';
import { KernelScope, withFastPath } from './compose';

/**
 * tfjs-backend-wasm 4.22 runs BatchMatMul / _FusedMatMul through XNNPACK only when neither operand
 * is transposed; with transposeA or transposeB (every weight and input gradient of a Dense layer) it
 * falls back to a naive blocked loop, about 20x slower for a 128x784x128 product. Transposing the
 * operand explicitly first (a cheap copy) and then multiplying untransposed takes the fast path.
 *
 * XNNPACK packs the right operand b as a weight matrix on every call with a new b (~22 ns an element,
 * three times a transpose's copy), so a weight gradient a^T b whose b is the wider one (the sequence
 * preset's output layer: x [rows, 64]^T dy [rows, 2,659]) runs as (b^T a)^T, packing the narrow one:
 * 75 against 160-240 ms for the Tang couplets.
 */
export function transposeFirstMatMulKernel(original: tf.KernelConfig): tf.KernelConfig | undefined {
  return withFastPath(original, ({ inputs, backend, attrs }) => {
    const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
    if (!transposeA && !transposeB) return undefined;
    const scope = new KernelScope(original.backendName, backend);
    const swapLast = (input: tf.TensorInfo): number[] => {
      const rank = input.shape.length;
      return [...Array(rank - 2).keys(), rank - 1, rank - 2];
    };
    const untransposed = (input: tf.TensorInfo): tf.TensorInfo => scope.temp('Transpose', { x: input }, { perm: swapLast(input) });
    const a = inputs.a as tf.TensorInfo;
    const b = inputs.b as tf.TensorInfo;
    const untransposedAttrs = { ...attrs, transposeA: false, transposeB: false };
    const plain = original.kernelName === 'BatchMatMul';
    let out: tf.TensorInfo;
    if (plain && transposeA && !transposeB && b.shape[b.shape.length - 1] > a.shape[a.shape.length - 1]) {
      const swapped = scope.temp(original.kernelName, { a: untransposed(b), b: a }, untransposedAttrs);
      out = scope.run('Transpose', { x: swapped }, { perm: swapLast(swapped) });
    } else {
      out = scope.run(original.kernelName, { ...inputs, a: transposeA ? untransposed(a) : a, b: transposeB ? untransposed(b) : b }, untransposedAttrs);
    }
    scope.dispose();
    return out;
  });
}
