import * as tf from '@tensorflow/tfjs';
import { runBackendKernel, type DisposingBackend } from './compose';
import { isHeapBackend, type HeapBackend } from './heap-backend';

/**
 * UnsortedSegmentSum (the gradient of gather, hence of an Embedding layer) for a backend that lacks it:
 *   out[s] = sum over i with ids[i] = s of x[i]
 * Ids outside [0, numSegments) contribute nothing, as in TensorFlow. On a backend whose tensors live
 * on a heap (wasm) one pass adds each row into its segment; otherwise it is one matrix product of the
 * backend's own kernels, oneHot(ids, segments)^T · x, which costs count × segments × width (with a
 * vocabulary of thousands of characters, most of a text model's step).
 */
export function unsortedSegmentSumKernel(backendName: string): tf.KernelConfig {
  return {
    kernelName: tf.UnsortedSegmentSum,
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, segmentIds } = inputs as unknown as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
      const { numSegments } = attrs as unknown as tf.UnsortedSegmentSumAttrs;
      if (x.dtype !== 'float32') throw new Error(`UnsortedSegmentSum on ${backendName} supports float32 only, got ${x.dtype}.`);
      const count = segmentIds.shape.reduce((a, b) => a * b, 1);
      const rest = x.shape.slice(segmentIds.shape.length);
      const width = rest.reduce((a, b) => a * b, 1);
      if (isHeapBackend(backend) && segmentIds.dtype === 'int32') return segmentSumOnHeap(backend, x, segmentIds, count, width, numSegments, rest);
      const owner = backend as DisposingBackend;
      const run = (name: string, kernelInputs: tf.NamedTensorInfoMap, kernelAttrs: tf.NamedAttrMap) =>
        runBackendKernel(backendName, owner, name, kernelInputs, kernelAttrs);
      const ids = run(tf.Reshape, { x: segmentIds }, { shape: [count] });
      const rows = run(tf.Reshape, { x }, { shape: [count, width] });
      // wasm's OneHot writes int32 whatever dtype it is asked for: cast explicitly.
      const membershipInt = run(tf.OneHot, { indices: ids }, { depth: numSegments, onValue: 1, offValue: 0, dtype: 'int32' });
      const membership = run(tf.Cast, { x: membershipInt }, { dtype: 'float32' }); // [count, segments]
      const sums = run(tf.BatchMatMul, { a: membership, b: rows }, { transposeA: true, transposeB: false }); // [segments, width]
      const out = run(tf.Reshape, { x: sums }, { shape: [numSegments, ...rest] });
      for (const t of [ids, rows, membershipInt, membership, sums]) owner.disposeData(t.dataId);
      return out;
    },
  };
}

function segmentSumOnHeap(
  backend: HeapBackend,
  x: tf.TensorInfo,
  segmentIds: tf.TensorInfo,
  count: number,
  width: number,
  numSegments: number,
  rest: number[],
): tf.TensorInfo {
  const out = backend.makeOutput([numSegments, ...rest], 'float32');
  const sums = backend.typedArrayFromHeap(out);
  sums.fill(0); // the heap is reused
  const rows = backend.typedArrayFromHeap(x);
  const ids = backend.typedArrayFromHeap(segmentIds);
  for (let i = 0; i < count; i++) {
    const segment = ids[i];
    if (!(segment >= 0 && segment < numSegments)) continue;
    const from = i * width;
    const to = segment * width;
    for (let j = 0; j < width; j++) sums[to + j] += rows[from + j];
  }
  return out;
}
