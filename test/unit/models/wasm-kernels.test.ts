import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/trainer/backend';
import { registerCpuKernelFixes } from '../../../src/trainer/wasm-kernels/register-wasm-training-kernels';

/** Runs `compute` on the cpu backend and on wasm (with our kernels) and returns both results. */
async function onBothBackends(compute: () => tf.Tensor): Promise<{ cpu: Float32Array; wasm: Float32Array; shape: number[] }> {
  await tf.setBackend('cpu');
  const cpuResult = tf.tidy(compute);
  const cpu = (await cpuResult.data()) as Float32Array;
  const shape = cpuResult.shape;
  cpuResult.dispose();
  await tf.setBackend('wasm');
  const wasmResult = tf.tidy(compute);
  assert.deepEqual(wasmResult.shape, shape);
  const wasm = (await wasmResult.data()) as Float32Array;
  wasmResult.dispose();
  return { cpu, wasm, shape };
}

function assertClose(actual: Float32Array, expected: Float32Array, label: string): void {
  assert.equal(actual.length, expected.length, label);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const error = Math.abs(actual[i] - expected[i]) / (1 + Math.abs(expected[i]));
    worst = Math.max(worst, error);
  }
  assert.ok(worst < 1e-4, `${label}: relative error ${worst}`);
}

interface Case {
  x: [number, number, number, number];
  kernel: [number, number];
  outChannels: number;
  stride: number;
  pad: 'same' | 'valid';
}

const cases: Case[] = [
  { x: [4, 8, 8, 1], kernel: [3, 3], outChannels: 5, stride: 1, pad: 'same' },
  { x: [3, 9, 7, 2], kernel: [3, 3], outChannels: 4, stride: 1, pad: 'valid' },
  { x: [2, 8, 8, 3], kernel: [3, 3], outChannels: 2, stride: 2, pad: 'same' },
  { x: [2, 9, 11, 3], kernel: [3, 3], outChannels: 2, stride: 2, pad: 'same' },
  { x: [2, 9, 8, 2], kernel: [3, 3], outChannels: 3, stride: 2, pad: 'valid' },
  { x: [2, 10, 10, 2], kernel: [3, 3], outChannels: 3, stride: 2, pad: 'valid' },
  { x: [2, 12, 12, 4], kernel: [5, 3], outChannels: 6, stride: 1, pad: 'same' },
  { x: [3, 6, 6, 4], kernel: [1, 1], outChannels: 2, stride: 1, pad: 'valid' },
  { x: [2, 13, 13, 2], kernel: [4, 4], outChannels: 3, stride: 3, pad: 'same' },
  // More input than output channels at stride 1: the weight gradient swaps the roles of x and dy.
  { x: [3, 9, 7, 6], kernel: [3, 3], outChannels: 2, stride: 1, pad: 'same' },
  { x: [2, 10, 8, 5], kernel: [5, 3], outChannels: 1, stride: 1, pad: 'valid' },
  { x: [2, 8, 8, 16], kernel: [3, 3], outChannels: 1, stride: 1, pad: 'same' },
  { x: [2, 7, 7, 4], kernel: [4, 2], outChannels: 3, stride: 1, pad: 'same' },
];

describe('wasm training kernels (added and fast-path matMul) equal the cpu backend', () => {
  before(async () => {
    const { name } = await initBackend('wasm');
    assert.equal(name, 'wasm');
    registerCpuKernelFixes(); // as initBackend does when cpu is the backend
  });

  for (const c of cases) {
    const label = `Conv2DBackpropFilter x=${c.x} k=${c.kernel} out=${c.outChannels} stride=${c.stride} ${c.pad}`;
    test(label, async () => {
      const filterShape: [number, number, number, number] = [c.kernel[0], c.kernel[1], c.x[3], c.outChannels];
      const info = tf.backend_util.computeConv2DInfo(c.x, filterShape, c.stride, 1, c.pad);
      const x = tf.randomNormal(c.x, 0, 1, 'float32', 1);
      const dy = tf.randomNormal(info.outShape, 0, 1, 'float32', 2);
      const { cpu, wasm } = await onBothBackends(() =>
        tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', filterShape }) as tf.Tensor,
      );
      assertClose(wasm, cpu, label);
      x.dispose();
      dy.dispose();
    });
  }

  for (const c of cases) {
    const label = `Conv2DBackpropInput x=${c.x} k=${c.kernel} out=${c.outChannels} stride=${c.stride} ${c.pad}`;
    test(label, async () => {
      const filterShape: [number, number, number, number] = [c.kernel[0], c.kernel[1], c.x[3], c.outChannels];
      const info = tf.backend_util.computeConv2DInfo(c.x, filterShape, c.stride, 1, c.pad);
      const filter = tf.randomNormal(filterShape, 0, 1, 'float32', 1);
      const dy = tf.randomNormal(info.outShape, 0, 1, 'float32', 2);
      const { cpu, wasm } = await onBothBackends(() =>
        tf.engine().runKernel(tf.Conv2DBackpropInput, { dy, filter }, { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x }) as tf.Tensor,
      );
      assertClose(wasm, cpu, label);
    });
  }

  for (const pad of ['same', 'valid'] as const) {
    test(`Conv2DTranspose stride 2 ${pad}: forward`, async () => {
      const x = tf.randomNormal([3, 5, 6, 4], 0, 1, 'float32', 3) as tf.Tensor4D;
      const filter = tf.randomNormal([3, 3, 2, 4], 0, 1, 'float32', 4) as tf.Tensor4D;
      const outShape: [number, number, number, number] = pad === 'same' ? [3, 10, 12, 2] : [3, 11, 13, 2];
      const { cpu, wasm } = await onBothBackends(() => tf.conv2dTranspose(x, filter, outShape, 2, pad));
      assertClose(wasm, cpu, `conv2dTranspose forward ${pad}`);
    });
  }

  for (const [shape, size, stride, ties] of [
    [[2, 8, 6, 3], 2, 2, true],
    [[4, 28, 28, 16], 2, 2, true], // the conv preset's first pooling, on the one-pass loop
    [[2, 9, 9, 2], 3, 3, true],
    [[2, 7, 9, 2], 2, 2, true], // 'valid' leaves a row and a column out
    // Overlapping windows are left to wasm's own kernel, which breaks ties differently from cpu: tie-free data.
    [[2, 8, 8, 2], 3, 1, false],
    [[2, 9, 8, 3], 3, 2, false],
  ] as const) {
    test(`MaxPoolGrad x=${shape} pool ${size} stride ${stride}${ties ? ', with ties' : ''}`, async () => {
      // relu and rounding make ties: the gradient must go to the same (first) position as on cpu.
      const noise = tf.randomNormal([...shape], 0, 1, 'float32', 17);
      const x = ties ? tf.tidy(() => tf.relu(tf.round(tf.mul(noise, 2)))) : noise;
      const pooledSize = tf.tidy(() => tf.maxPool(x as tf.Tensor4D, size, stride, 'valid').shape);
      const weights = tf.range(1, 1 + pooledSize.reduce((a, b) => a * b, 1)).reshape(pooledSize);
      const { cpu, wasm } = await onBothBackends(() => tf.grad((input: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(input as tf.Tensor4D, size, stride, 'valid'), weights)))(x));
      assertClose(wasm, cpu, 'maxPool gradient');
    });
  }

  /** dL/dimages of sum(resizeNearestNeighbor(images) * weights) for whole-number factors: block sums of weights. */
  function blockSums(weights: Float32Array, shape: readonly number[], factor: readonly [number, number]): Float32Array {
    const [batch, height, width, channels] = shape;
    const [fh, fw] = factor;
    const out = new Float32Array(batch * (height / fh) * (width / fw) * channels);
    for (let b = 0; b < batch; b++)
      for (let y = 0; y < height; y++)
        for (let x = 0; x < width; x++)
          for (let c = 0; c < channels; c++) {
            const target = ((b * (height / fh) + Math.floor(y / fh)) * (width / fw) + Math.floor(x / fw)) * channels + c;
            out[target] += weights[((b * height + y) * width + x) * channels + c];
          }
    return out;
  }

  for (const [size, factor] of [
    [[3, 4], [2, 2]],
    [[3, 4], [3, 2]],
    [[5, 5], [1, 3]],
  ] as const) {
    test(`ResizeNearestNeighborGrad ${size} x ${factor} (UpSampling2D), batch 2, on wasm and cpu`, async () => {
      // Compared with block sums: tfjs 4.22's own cpu kernel is wrong for batches of more than one.
      const images = tf.randomNormal([2, size[0], size[1], 3], 0, 1, 'float32', 18) as tf.Tensor4D;
      const target: [number, number] = [size[0] * factor[0], size[1] * factor[1]];
      const weights = tf.randomNormal([2, target[0], target[1], 3], 0, 1, 'float32', 19);
      const expected = blockSums((await weights.data()) as Float32Array, weights.shape, factor);
      const { cpu, wasm } = await onBothBackends(() =>
        tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.image.resizeNearestNeighbor(x as tf.Tensor4D, target), weights)))(images),
      );
      assertClose(wasm, expected, 'wasm upsampling gradient');
      assertClose(cpu, expected, 'cpu upsampling gradient');
    });
  }

  for (const pad of ['same', 'valid'] as const) {
    test(`Conv2DTranspose stride 2 ${pad}: filter gradient`, async () => {
      const x = tf.randomNormal([3, 5, 5, 4], 0, 1, 'float32', 3) as tf.Tensor4D;
      const filter = tf.randomNormal([3, 3, 2, 4], 0, 1, 'float32', 4) as tf.Tensor4D; // [kh, kw, out, in]
      const outSize = pad === 'same' ? 10 : 11;
      const weights = tf.randomNormal([3, outSize, outSize, 2], 0, 1, 'float32', 5);
      const { cpu, wasm } = await onBothBackends(() =>
        tf.grad((f: tf.Tensor) => tf.sum(tf.mul(tf.conv2dTranspose(x, f as tf.Tensor4D, [3, outSize, outSize, 2], 2, pad), weights)))(filter),
      );
      assertClose(wasm, cpu, `conv2dTranspose ${pad}`);
    });
  }

  for (const [xShape, segments] of [
    [[7, 3], 4],
    [[5, 2, 3], 6],
    [[9, 2, 2], 2],
    // An embedding gradient of a Chinese vocabulary: many rows into thousands of segments.
    [[700, 64], 2659],
  ] as const) {
    test(`UnsortedSegmentSum x=${xShape} segments=${segments}`, async () => {
      const x = tf.randomNormal([...xShape], 0, 1, 'float32', 8);
      // Includes an id outside [0, segments), which contributes nothing.
      const ids = tf.tensor1d(Array.from({ length: xShape[0] }, (_, i) => (i * 5) % (segments + 1)), 'int32');
      const { cpu, wasm } = await onBothBackends(() => tf.unsortedSegmentSum(x, ids, segments));
      assertClose(wasm, cpu, 'unsortedSegmentSum');
    });
  }

  for (const [shape, begin, size] of [
    [[6, 10], [2, 0], [3, 10]], // whole rows: one contiguous copy
    [[6, 10], [1, 3], [4, 5]], // a block inside rows
    [[3, 4, 5], [1, 0, 2], [2, 4, 3]],
    [[2, 3, 4, 5], [0, 1, 1, 0], [2, 2, 2, 5]],
    [[7], [2], [4]],
  ] as const) {
    test(`Slice ${shape} at ${begin} size ${size}`, async () => {
      const x = tf.randomNormal([...shape], 0, 1, 'float32', 4);
      const { cpu, wasm } = await onBothBackends(() => tf.slice(x, [...begin], [...size]));
      assertClose(wasm, cpu, 'slice');
    });
  }

  for (const [shape, sizes, axis] of [
    [[10, 6], [4, 3, 2, 1], 0], // the packed GRU's steps
    [[5, 8], [4, 4], 1], // its gates
    [[3, 6, 4], [1, 2, 3], 1],
  ] as const) {
    test(`SplitV ${shape} into ${sizes} along ${axis}`, async () => {
      const x = tf.randomNormal([...shape], 0, 1, 'float32', 5);
      const { cpu, wasm } = await onBothBackends(() => tf.concat(tf.split(x, [...sizes], axis).map((part, i) => tf.mul(part, i + 1)), axis));
      assertClose(wasm, cpu, 'split');
    });
  }

  test('an embedding lookup (gather) has the same gradient on wasm as on cpu', async () => {
    const table = tf.randomNormal([6, 4], 0, 1, 'float32', 9);
    const indices = tf.tensor2d([[0, 2, 2], [5, 1, 0]], [2, 3], 'int32');
    const { cpu, wasm } = await onBothBackends(() => tf.grad((t: tf.Tensor) => tf.sum(tf.square(tf.gather(t, indices))))(table));
    assertClose(wasm, cpu, 'gather gradient');
  });

  for (const [aShape, bShape, transposeA, transposeB] of [
    [[5, 7], [5, 3], true, false],
    [[5, 3], [5, 7], true, false], // the wider b: computed as (b^T a)^T
    [[2, 4, 3], [2, 4, 6], true, false],
    [[1, 4, 3], [2, 4, 6], true, false],
    [[5, 7], [3, 7], false, true],
    [[7, 5], [3, 7], true, true],
    [[2, 4, 6], [2, 4, 3], true, false],
    [[2, 4, 6], [1, 3, 6], false, true],
    [[4, 6], [6, 3], false, false],
  ] as const) {
    test(`BatchMatMul a=${aShape} b=${bShape} transposeA=${transposeA} transposeB=${transposeB}`, async () => {
      const a = tf.randomNormal([...aShape], 0, 1, 'float32', 10);
      const b = tf.randomNormal([...bShape], 0, 1, 'float32', 11);
      const { cpu, wasm } = await onBothBackends(() => tf.matMul(a, b, transposeA, transposeB));
      assertClose(wasm, cpu, 'matMul');
    });
  }

  test('fused matMul with bias and relu, transposed operands', async () => {
    const a = tf.randomNormal([6, 4], 0, 1, 'float32', 12) as tf.Tensor2D;
    const b = tf.randomNormal([5, 6], 0, 1, 'float32', 13) as tf.Tensor2D;
    const bias = tf.randomNormal([5], 0, 1, 'float32', 14);
    const { cpu, wasm } = await onBothBackends(() => tf.fused.matMul({ a, b, transposeA: true, transposeB: true, bias, activation: 'relu' }));
    assertClose(wasm, cpu, 'fused matMul');
  });

  test('a dense layer has the same gradients on wasm as on cpu', async () => {
    const x = tf.randomNormal([8, 12], 0, 1, 'float32', 15);
    const w = tf.randomNormal([12, 5], 0, 1, 'float32', 16);
    const { cpu, wasm } = await onBothBackends(() => {
      const [dx, dw] = tf.grads((input: tf.Tensor, kernel: tf.Tensor) => tf.sum(tf.square(tf.sigmoid(tf.matMul(input, kernel)))))([x, w]);
      return tf.concat([dx.flatten(), dw.flatten()]);
    });
    assertClose(wasm, cpu, 'dense gradients');
  });

  for (const [shape, reps, dtype] of [
    [[3], [4], 'float32'],
    [[2, 1, 5], [1, 7, 1], 'float32'],
    [[2, 3], [3, 2], 'int32'],
    [[2, 2, 2, 2], [2, 1, 3, 1], 'float32'], // rank 4: the original kernel
  ] as const) {
    test(`Tile ${shape} x ${reps} ${dtype}`, async () => {
      const x = tf.tidy(() => tf.randomNormal([...shape], 0, 5, 'float32', 20).round().cast(dtype));
      const { cpu, wasm } = await onBothBackends(() => tf.tile(x, [...reps]).cast('float32'));
      assertClose(wasm, cpu, 'tile');
    });
  }

  for (const [shape, axis, keepDims] of [
    [[1700, 300], 0, false], // a bias gradient
    [[4, 5, 6], [0, 1], false],
    [[4, 5, 6], [1, 0], true],
    [[7, 3], -2, true],
    [[4, 5, 6], [1, 2], false], // not the leading axes: the original kernel
    [[9], 0, false], // a whole reduction: the original kernel
  ] as const) {
    test(`Sum ${shape} over ${axis}${keepDims ? ' keepDims' : ''}`, async () => {
      const x = tf.randomNormal([...shape], 0, 3, 'float32', 21);
      const { cpu, wasm, shape: outShape } = await onBothBackends(() => tf.sum(x, axis as number | number[], keepDims));
      assertClose(wasm, cpu, `sum, output shape ${outShape}`);
    });
  }

  test('a conv layer trains on wasm with the same gradient as on cpu', async () => {
    const x = tf.randomNormal([4, 12, 12, 2], 0, 1, 'float32', 6) as tf.Tensor4D;
    const filter = tf.randomNormal([3, 3, 2, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
    const { cpu, wasm } = await onBothBackends(() =>
      tf.grad((f: tf.Tensor) => tf.mean(tf.square(tf.relu(tf.conv2d(x, f as tf.Tensor4D, 2, 'same')))))(filter),
    );
    assertClose(wasm, cpu, 'conv2d stride 2 same through relu and mean square');
  });
});
