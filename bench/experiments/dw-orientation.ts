// Experiment: Conv2DBackpropFilter by XNNPACK convolution in the other orientation (dy as the
// input, x as the filter), which puts the input channels (not the output channels) in the GEMM's
// N dimension: better when a layer has fewer outputs than inputs (the conv preset's last layer).
//   node --import tsx bench/experiments/dw-orientation.ts
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/trainer/backend';

function swapped(x: tf.Tensor4D, dy: tf.Tensor4D, k: number): tf.Tensor4D {
  return tf.tidy(() => {
    const p = (k - 1) >> 1;
    const dyT = tf.transpose(dy, [3, 1, 2, 0]); // [O, H, W, B]
    const xT = tf.transpose(x, [1, 2, 0, 3]); // [H, W, B, C] as the filter
    const out = tf.conv2d(dyT as tf.Tensor4D, xT as tf.Tensor4D, 1, [[0, 0], [p, p], [p, p], [0, 0]]); // [O, k, k, C], offsets reversed
    return tf.transpose(tf.reverse(out, [1, 2]), [1, 2, 3, 0]) as tf.Tensor4D; // [k, k, C, O]
  });
}

async function main(): Promise<void> {
  await initBackend('wasm');
  const cpuMs = (f: () => void, reps = 5) => {
    const out: number[] = [];
    for (let r = 0; r < reps; r++) {
      const c0 = process.cpuUsage();
      f();
      const c = process.cpuUsage(c0);
      out.push((c.user + c.system) / 1000);
    }
    return out.sort((a, b) => a - b)[Math.floor(reps / 2)];
  };
  for (const [h, inC, outC] of [[28, 1, 16], [14, 16, 8], [7, 8, 8], [14, 8, 16], [28, 16, 1]]) {
    const x = tf.relu(tf.randomNormal([128, h, h, inC])) as tf.Tensor4D;
    const dy = tf.randomNormal([128, h, h, outC]) as tf.Tensor4D;
    // The registered kernel itself (bench/experiments/kernel-times.ts: the trainer's composed one).
    const registered = () => tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, inC, outC] } as unknown as tf.NamedAttrMap) as tf.Tensor;
    const reference = registered();
    const mine = swapped(x, dy, 3);
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(reference, mine))).dataSync()[0] / tf.max(tf.abs(reference)).dataSync()[0]);
    tf.dispose([reference, mine]);
    const a = cpuMs(() => registered().dispose());
    const b = cpuMs(() => swapped(x, dy, 3).dispose());
    console.log(`dW x[128,${h},${h},${inC}] dy[..,${outC}]: registered ${a.toFixed(1)} ms CPU, swapped ${b.toFixed(1)} ms CPU, rel diff ${diff.toExponential(1)}`);
  }
}
void main();
