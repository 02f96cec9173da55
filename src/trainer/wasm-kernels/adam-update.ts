import type * as tf from '@tensorflow/tfjs';
import { ADAM_UPDATE_KERNEL, type AdamUpdateAttrs } from '../../models/fused-adam';

/** What this kernel needs of the wasm backend: its outputs and inputs as views of the wasm heap. */
interface HeapBackend {
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  typedArrayFromHeap(tensor: tf.TensorInfo): Float32Array;
}

/**
 * One Adam step of one variable (FusedAdam's ADAM_UPDATE_KERNEL) as one pass over the wasm heap,
 * instead of tfjs's ~14 elementwise kernels and their engine bookkeeping. The arithmetic is tf.train.adam's,
 * in its order, rounded to float32 where its kernels round. New outputs rather than updates in place:
 * a variable's memory may be shared (tf.clone keeps the best epoch's weights by reference).
 */
export function adamUpdateKernel(backendName: string): tf.KernelConfig {
  return {
    kernelName: ADAM_UPDATE_KERNEL,
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const heap = backend as unknown as HeapBackend;
      const { x, g, m, v } = inputs as unknown as Record<'x' | 'g' | 'm' | 'v', tf.TensorInfo>;
      const { learningRate, beta1, beta2, epsilon, correction1, correction2 } = attrs as unknown as AdamUpdateAttrs;
      const outputs = [x, m, v].map((input) => heap.makeOutput([...input.shape], 'float32'));
      // Views taken after every allocation: makeOutput may grow the heap and detach older views.
      const [xs, gs, ms, vs] = [x, g, m, v].map((input) => heap.typedArrayFromHeap(input));
      const [x1, m1, v1] = outputs.map((output) => heap.typedArrayFromHeap(output));
      const f = Math.fround;
      const [b1, b2, c1, c2, eps, lr] = [beta1, beta2, correction1, correction2, epsilon, learningRate].map(f);
      const [nb1, nb2] = [f(1 - beta1), f(1 - beta2)];
      for (let i = 0; i < xs.length; i++) {
        const gi = gs[i];
        const mi = f(f(ms[i] * b1) + f(gi * nb1));
        const vi = f(f(vs[i] * b2) + f(f(gi * gi) * nb2));
        m1[i] = mi;
        v1[i] = vi;
        x1[i] = xs[i] - f(f(f(mi / c1) / f(f(Math.sqrt(f(vi / c2))) + eps)) * lr);
      }
      return outputs;
    },
  };
}
