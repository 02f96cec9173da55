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

export interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: DisposingBackend;
  attrs: tf.NamedAttrMap;
}

const WRAPPED = Symbol('autoencoder-lab-fast-path');

/**
 * Wraps a registered kernel with a faster path for the cases it knows: `fastPath` returns its result,
 * or undefined to let the original kernel handle the call. Returns undefined if already wrapped
 * (registration stays idempotent). The original's setup function is kept.
 */
export function withFastPath(original: tf.KernelConfig, fastPath: (args: KernelArgs) => tf.TensorInfo | undefined): tf.KernelConfig | undefined {
  const originalFunc = original.kernelFunc as tf.KernelFunc & { [WRAPPED]?: true };
  if (originalFunc[WRAPPED]) return undefined;
  const kernelFunc = ((args: KernelArgs) => fastPath(args) ?? originalFunc(args as Parameters<tf.KernelFunc>[0])) as tf.KernelFunc & { [WRAPPED]?: true };
  kernelFunc[WRAPPED] = true;
  return { ...original, kernelFunc };
}

/** Runs kernels of one backend and frees the intermediates it was told about. */
export class KernelScope {
  private readonly temporaries: tf.TensorInfo[] = [];
  constructor(
    private readonly backendName: string,
    private readonly backend: DisposingBackend,
  ) {}

  /** Runs a kernel whose result is an intermediate, freed by `dispose`. */
  temp(kernelName: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap = {}): tf.TensorInfo {
    const result = this.run(kernelName, inputs, attrs);
    this.temporaries.push(result);
    return result;
  }

  /** Marks a result (e.g. one of several outputs of `run`) as an intermediate. */
  track(result: tf.TensorInfo): void {
    this.temporaries.push(result);
  }

  /** Runs a kernel whose result is kept (the final output). */
  run(kernelName: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap = {}): tf.TensorInfo {
    return runBackendKernel(this.backendName, this.backend, kernelName, inputs, attrs);
  }

  dispose(): void {
    for (const t of this.temporaries) this.backend.disposeData(t.dataId);
    this.temporaries.length = 0;
  }
}
