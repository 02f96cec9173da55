import * as tf from '@tensorflow/tfjs';

/** The slice of a backend a composed kernel needs: freeing its intermediate results. */
export interface DisposingBackend {
  disposeData(dataId: object): boolean;
}

/**
 * Runs another kernel of the same backend directly (no tape, no engine bookkeeping), the way
 * tfjs backends compose their own kernels. The caller frees intermediates with `backend.disposeData`.
 */
export function runBackendKernel(
  backendName: string,
  backend: DisposingBackend,
  kernelName: string,
  inputs: tf.NamedTensorInfoMap,
  attrs: tf.NamedAttrMap,
): tf.TensorInfo {
  const kernel = tf.getKernel(kernelName, backendName);
  if (kernel == null) throw new Error(`Kernel '${kernelName}' is not registered for backend '${backendName}'.`);
  return kernel.kernelFunc({ inputs, backend, attrs }) as tf.TensorInfo;
}
