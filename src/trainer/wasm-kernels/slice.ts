import * as tf from '@tensorflow/tfjs';
import { withFastPath } from './compose';
import { isHeapBackend, type HeapBackend } from './heap-backend';

/**
 * Copies the block [begin, begin + size) of x into a new output, reading x as a view of the wasm
 * heap. tfjs-backend-wasm 4.22's Slice first copies the whole input (readSync), so SplitV (which
 * slices once per part) cost parts × input: the sequence preset's packed steps split a [rows, 3 units]
 * projection into one part per time step, and its GRU gates into two.
 */
function sliceFromHeap(backend: HeapBackend, x: tf.TensorInfo, begin: number[], size: number[]): tf.TensorInfo {
  const out = backend.makeOutput(size, x.dtype);
  const source = backend.typedArrayFromHeap(x);
  const target = backend.typedArrayFromHeap(out);
  const rank = x.shape.length;
  const strides = new Array<number>(rank);
  strides[rank - 1] = 1;
  for (let d = rank - 2; d >= 0; d--) strides[d] = strides[d + 1] * x.shape[d + 1];
  // Merge the trailing dimensions taken whole into one contiguous run.
  let inner = rank - 1;
  while (inner > 0 && begin[inner] === 0 && size[inner] === x.shape[inner]) inner--;
  const run = size.slice(inner).reduce((a, b) => a * b, 1);
  const outer = size.slice(0, inner);
  const count = outer.reduce((a, b) => a * b, 1);
  const index = new Array<number>(inner).fill(0);
  let written = 0;
  for (let k = 0; k < count; k++) {
    let offset = begin[inner] * strides[inner];
    for (let d = 0; d < inner; d++) offset += (begin[d] + index[d]) * strides[d];
    target.set(source.subarray(offset, offset + run), written);
    written += run;
    for (let d = inner - 1; d >= 0; d--) {
      if (++index[d] < outer[d]) break;
      index[d] = 0;
    }
  }
  return out;
}

const HEAP_DTYPES = new Set<tf.DataType>(['float32', 'int32']);

export function sliceKernel(original: tf.KernelConfig): tf.KernelConfig | undefined {
  return withFastPath(original, ({ inputs, backend, attrs }) => {
    const { x } = inputs as unknown as { x: tf.TensorInfo };
    if (!HEAP_DTYPES.has(x.dtype) || x.shape.length === 0 || !isHeapBackend(backend)) return undefined;
    const { begin, size } = attrs as unknown as tf.SliceAttrs;
    const [begin_, size_] = tf.slice_util.parseSliceParams(x as unknown as tf.Tensor, begin, size);
    return sliceFromHeap(backend, x, begin_, size_);
  });
}

export function splitVKernel(original: tf.KernelConfig): tf.KernelConfig | undefined {
  return withFastPath(original, ({ inputs, backend, attrs }) => {
    const { x } = inputs as unknown as { x: tf.TensorInfo };
    if (!HEAP_DTYPES.has(x.dtype) || x.shape.length === 0 || !isHeapBackend(backend)) return undefined;
    const { numOrSizeSplits, axis } = attrs as unknown as tf.SplitVAttrs;
    const along = tf.util.parseAxisParam(axis, x.shape)[0];
    const sizes = tf.backend_util.prepareSplitSize(x as unknown as tf.Tensor, numOrSizeSplits, along);
    const begin = new Array<number>(x.shape.length).fill(0);
    return sizes.map((part) => {
      const size = [...x.shape];
      size[along] = part;
      const out = sliceFromHeap(backend, x, [...begin], size);
      begin[along] += part;
      return out;
    }) as unknown as tf.TensorInfo;
  });
}
