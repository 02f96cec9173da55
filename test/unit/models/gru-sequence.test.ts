import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/trainer/backend';
import { gruSequence } from '../../../src/models/seq2seq/gru-sequence';
import { softmaxCrossEntropy } from '../../../src/models/seq2seq/softmax-cross-entropy';
import { mulberry32 } from '../../../src/data/random';
import { nativeAtHand, useBackend } from '../test-backends';

/** cpu is the reference backend; wasm is what the trainer runs here; tensorflow where tfjs-node is at hand. */
const BACKENDS = ['cpu', 'wasm', ...(nativeAtHand ? (['tensorflow'] as const) : [])] as const;

async function switchTo(backend: (typeof BACKENDS)[number]): Promise<void> {
  await initBackend('wasm');
  if (backend === 'tensorflow') await useBackend('tensorflow');
  else await tf.setBackend(backend);
}

/** The same packed GRU composed of plain tf ops, differentiated by tfjs itself: the reference. */
function composedGru(xg: tf.Tensor2D, xc: tf.Tensor2D, h0: tf.Tensor2D, uzr: tf.Tensor2D, uh: tf.Tensor2D, sizes: number[]): tf.Tensor2D {
  const units = uh.shape[0];
  // (tfjs cannot differentiate a split into one part)
  const gates = sizes.length > 1 ? tf.split(xg, sizes, 0) : [xg];
  const cands = sizes.length > 1 ? tf.split(xc, sizes, 0) : [xc];
  let h = h0;
  const states: tf.Tensor2D[] = [];
  sizes.forEach((n, t) => {
    h = tf.slice(h, [0, 0], [n, units]);
    const zr = tf.sigmoid(tf.add(gates[t], tf.matMul(h, uzr)));
    const [z, r] = tf.split(zr, 2, 1);
    const c = tf.tanh(tf.add(cands[t], tf.matMul(tf.mul(r, h), uh)));
    h = tf.add(c, tf.mul(z, tf.sub(h, c))) as tf.Tensor2D;
    states.push(h);
  });
  return tf.concat(states, 0) as tf.Tensor2D;
}

function random(shape: number[], seed: number, scale = 0.5): tf.Tensor {
  const next = mulberry32(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: size }, () => (next() * 2 - 1) * scale), shape);
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, label: string): void {
  assert.equal(actual.length, expected.length, label);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / (1 + Math.abs(expected[i])));
  assert.ok(worst < 1e-4, `${label}: relative error ${worst}`);
}

describe('the fused packed GRU equals the GRU composed of tf ops (values and every gradient)', () => {
  for (const backend of BACKENDS) {
    before(async () => {
      await initBackend('wasm');
    });
    for (const { sizes, units } of [
      { sizes: [4, 4, 3, 1], units: 5 },
      { sizes: [3], units: 2 },
      { sizes: [6, 6, 6, 6, 2, 2, 1], units: 8 },
    ]) {
      test(`${backend}: steps ${sizes.join(',')}, ${units} units`, async () => {
        await switchTo(backend);
        const rows = sizes.reduce((a, b) => a + b, 0);
        const inputs = [random([rows, 2 * units], 1), random([rows, units], 2), random([sizes[0], units], 3), random([units, 2 * units], 4), random([units, units], 5)] as tf.Tensor2D[];
        const weights = random([rows, units], 6); // a loss that weighs every state differently
        const results = [gruSequence, composedGru].map((gru) =>
          tf.tidy(() => {
            const f = (...x: tf.Tensor[]) => tf.sum(tf.mul(gru(...(x as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D]), sizes), weights));
            const { value, grads } = tf.valueAndGrads(f)(inputs);
            return [gru(...(inputs as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D]), sizes), value, ...grads];
          }),
        );
        const names = ['states', 'loss', 'd inputGates', 'd inputCandidate', 'd h0', 'd recurrentGates', 'd recurrentCandidate'];
        results[0].forEach((tensor, i) => assertClose(tensor.dataSync(), results[1][i].dataSync(), names[i]));
        tf.dispose([...results.flat(), ...inputs, weights]);
      });
    }
  }
});

describe('the fused softmax cross-entropy equals logSoftmax and one-hot composed of tf ops', () => {
  for (const backend of BACKENDS) {
    test(`${backend}: values and gradient`, async () => {
      await switchTo(backend);
      const rows = 7;
      const classes = 11;
      const logits = random([rows, classes], 9, 4) as tf.Tensor2D;
      const targets = Int32Array.from({ length: rows }, (_, i) => (i * 3) % classes);
      const weights = random([rows], 10);
      const composed = (x: tf.Tensor2D) => tf.neg(tf.sum(tf.mul(tf.logSoftmax(x), tf.oneHot(tf.tensor1d(targets, 'int32'), classes)), 1));
      const results = [(x: tf.Tensor2D) => softmaxCrossEntropy(x, targets), composed].map((f) =>
        tf.tidy(() => {
          const { value, grad } = tf.valueAndGrad((x: tf.Tensor) => tf.sum(tf.mul(f(x as tf.Tensor2D), weights)))(logits);
          return [f(logits), value, grad];
        }),
      );
      ['losses', 'weighted sum', 'gradient'].forEach((name, i) => assertClose(results[0][i].dataSync(), results[1][i].dataSync(), name));
      tf.dispose([...results.flat(), logits, weights]);
    });
  }
});
