import * as tf from '@tensorflow/tfjs';
import { runBackendKernel, type DisposingBackend } from './compose';

const WRAPPED = Symbol('transposes-explicitly');

/**
 * tfjs-backend-wasm 4.22 runs BatchMatMul / _FusedMatMul through XNNPACK only when neither operand
 * is transposed; with transposeA or transposeB (every weight and input gradient of a Dense layer) it
 * falls back to a naive blocked loop, about 7x slower for a 128x784x128 product. Transposing the
 * operand explicitly first (a cheap copy) and then multiplying untransposed takes the fast path.
 * Returns the wrapped kernel config, or undefined when `original` is already wrapped.
 */
export function transposeFirstMatMulKernel(original: tf.KernelConfig, operands: { a: string; b: string }): tf.KernelConfig | undefined {
  const originalFunc = original.kernelFunc as tf.KernelFunc & { [WRAPPED]?: true };
  if (originalFunc[WRAPPED]) return undefined;
  const kernelFunc = (({ inputs, backend, attrs }) => {
    const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
    if (!transposeA && !transposeB) return originalFunc({ inputs, backend, attrs });
    const owner = backend as DisposingBackend;
    const temporaries: tf.TensorInfo[] = [];
    const untransposed = (input: tf.TensorInfo): tf.TensorInfo => {
      const rank = input.shape.length;
      const perm = [...Array(rank - 2).keys(), rank - 1, rank - 2];
      const result = runBackendKernel(original.backendName, owner, tf.Transpose, { x: input }, { perm });
      temporaries.push(result);
      return result;
    };
    const a = inputs[operands.a] as tf.TensorInfo;
    const b = inputs[operands.b] as tf.TensorInfo;
    const newInputs = { ...inputs, [operands.a]: transposeA ? untransposed(a) : a, [operands.b]: transposeB ? untransposed(b) : b };
    const out = originalFunc({ inputs: newInputs, backend, attrs: { ...attrs, transposeA: false, transposeB: false } });
    for (const t of temporaries) owner.disposeData(t.dataId);
    return out;
  }) as tf.KernelFunc & { [WRAPPED]?: true };
  kernelFunc[WRAPPED] = true;
  return { ...original, kernelFunc };
}
