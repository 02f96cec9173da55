import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { nativeAtHand, useBackend } from '../test-backends';

/** The values of `compute` on cpu (tfjs's reference kernels) and on tensorflow (with our kernels). */
async function onCpuAndTensorflow(compute: () => tf.Tensor): Promise<{ cpu: number[]; tensorflow: number[] }> {
  await tf.setBackend('cpu');
  const cpu = Array.from(tf.tidy(compute).dataSync());
  await useBackend('tensorflow');
  const tensorflow = Array.from(tf.tidy(compute).dataSync());
  return { cpu, tensorflow };
}

const values = [-3, -0.5, -1e-30, 0, 1e-30, 0.25, 7, -Infinity, Infinity];

test('tensorflow Step: relu\'s step and other alphas as tfjs\'s cpu kernel', { skip: !nativeAtHand && 'tfjs-node not built (AUTOENCODER_LAB_TFJS_NODE)' }, async () => {
  for (const alpha of [0, 0.2]) {
    const { cpu, tensorflow } = await onCpuAndTensorflow(() => tf.step(tf.tensor1d(values), alpha));
    assert.deepEqual(tensorflow, cpu, `alpha ${alpha}`);
  }
});

test('tensorflow relu gradient through the replaced Step matches cpu', { skip: !nativeAtHand && 'tfjs-node not built (AUTOENCODER_LAB_TFJS_NODE)' }, async () => {
  const { cpu, tensorflow } = await onCpuAndTensorflow(() => {
    const x = tf.tensor2d([[-2, -0.1, 0, 0.3], [5, -7, 1e-3, 2]]);
    return tf.grad((input: tf.Tensor) => tf.relu(input).mul(tf.tensor2d([[1, 2, 3, 4], [5, 6, 7, 8]])).sum())(x);
  });
  assert.deepEqual(tensorflow, cpu);
  assert.deepEqual(cpu, [0, 0, 0, 4, 5, 0, 7, 8]);
});
