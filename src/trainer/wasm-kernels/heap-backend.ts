import type * as tf from '@tensorflow/tfjs';

/** What the one-pass kernels need of the wasm backend: outputs and inputs as views of the wasm heap. */
export interface HeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(tensor: tf.TensorInfo): Float32Array | Int32Array;
}

export function isHeapBackend(backend: unknown): backend is HeapBackend {
  const candidate = backend as Partial<HeapBackend>;
  return typeof candidate.makeOutput === 'function' && typeof candidate.typedArrayFromHeap === 'function';
}

/** The heap view of a tensor the caller knows is float32. */
export function float32View(backend: HeapBackend, tensor: tf.TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(tensor) as Float32Array;
}
