import * as tf from '@tensorflow/tfjs';
import { reluStepKernel } from './relu-step';

/** The kernels this module registered, so that a second call does not wrap them again. */
const wrapped = new WeakSet<tf.KernelConfig>();

/**
 * Replaces, for the tensorflow backend (tfjs-node), the kernels of training that tfjs-node composes
 * slowly in JS with native ops (today: Step, relu's gradient). Call after tfjs-node has registered its
 * kernels; idempotent.
 */
export function registerTensorflowTrainingKernels(backendName = 'tensorflow'): void {
  const original = tf.getKernel(tf.Step, backendName);
  if (!original || wrapped.has(original)) return;
  const replacement = reluStepKernel(original);
  wrapped.add(replacement);
  tf.unregisterKernel(tf.Step, backendName);
  tf.registerKernel(replacement);
}
