import type * as tf from '@tensorflow/tfjs';
import { ADAM_UPDATE_KERNEL, adamPass, type AdamUpdateAttrs } from '../../models/fused-adam';
import { float32View, type HeapBackend } from './heap-backend';

/**
 * One Adam step of one variable (FusedAdam's ADAM_UPDATE_KERNEL) as one pass over the wasm heap,
 * instead of tfjs's ~14 elementwise kernels and their engine bookkeeping. The arithmetic is adamPass,
 * tf.train.adam's. New outputs rather than updates in place:
 * a variable's memory may be shared (tf.clone keeps the best epoch's weights by reference).
 */
export function adamUpdateKernel(backendName: string): tf.KernelConfig {
  return {
    kernelName: ADAM_UPDATE_KERNEL,
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const heap = backend as unknown as HeapBackend;
      const { x, g, m, v } = inputs as unknown as Record<'x' | 'g' | 'm' | 'v', tf.TensorInfo>;
      const outputs = [x, m, v].map((input) => heap.makeOutput([...input.shape], 'float32'));
      // Views taken after every allocation: makeOutput may grow the heap and detach older views.
      const [xs, gs, ms, vs] = [x, g, m, v].map((input) => float32View(heap, input));
      const [x1, m1, v1] = outputs.map((output) => float32View(heap, output));
      adamPass(xs, gs, ms, vs, x1, m1, v1, attrs as unknown as AdamUpdateAttrs);
      return outputs;
    },
  };
}
