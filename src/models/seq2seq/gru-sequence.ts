import * as tf from '@tensorflow/tfjs';
import { sigmoidInPlace, tanhInPlace } from './fast-math';

/**
 * A whole packed GRU sequence as one differentiable op (tf.customGrad), the way cuDNN fuses RNNs:
 * the recurrent products run as tfjs matrix products (XNNPACK on wasm), the gates and their
 * gradients as plain loops over the rows, and the weight gradients as two large products over all
 * steps at the end instead of two small ones per step. Per step this is 2 products forward and 2
 * backward, where composing tf ops took ~35 kernel calls (and their tape), which dominated the
 * sequence preset's step time on wasm (bench/experiments/sequence-step.ts).
 *
 * Math of tfjs-layers' GRUCell (gates z, r; reset before the recurrent product; sigmoid gates):
 *   z, r = sigmoid(xg + h Uzr)        c = tanh(xc + (r * h) Uh)        h' = c + z (h - c)
 * Packed layout (text-batch.ts): step t holds sizes[t] lines (never increasing), rows
 * offset(t) .. offset(t) + sizes[t] - 1; line i's previous state is row i of the step before (or h0).
 */

function offsetsOf(sizes: readonly number[]): number[] {
  const offsets: number[] = [];
  let total = 0;
  for (const size of sizes) {
    offsets.push(total);
    total += size;
  }
  offsets.push(total);
  return offsets;
}

/**
 * matMul of a JS block [rows, inner] with a tensor [inner, cols], read back into JS. (Never return a
 * typed array from tf.tidy: it walks the array's every index looking for tensors, ~10 ms for 64k values.)
 */
function multiply(values: Float32Array, rows: number, inner: number, weights: tf.Tensor2D): Float32Array {
  const product = tf.tidy(() => tf.matMul(tf.tensor2d(values, [rows, inner]), weights));
  const result = product.dataSync() as Float32Array;
  product.dispose();
  return result;
}

/**
 * States of every row [rows, units] of a packed GRU sequence. `inputGates` [rows, 2 units] and
 * `inputCandidate` [rows, units] are the input projections (biases included); h0 [lines, units].
 */
export function gruSequence(
  inputGates: tf.Tensor2D,
  inputCandidate: tf.Tensor2D,
  h0: tf.Tensor2D,
  recurrentGates: tf.Tensor2D,
  recurrentCandidate: tf.Tensor2D,
  sizes: readonly number[],
): tf.Tensor2D {
  const units = recurrentCandidate.shape[0];
  const offsets = offsetsOf(sizes);
  const rows = offsets[sizes.length];
  if (inputGates.shape[0] !== rows || inputCandidate.shape[0] !== rows) {
    throw new Error(`packed GRU: ${inputGates.shape[0]} input rows for steps of ${rows} rows in all`);
  }
  const forward = (xg: tf.Tensor, xc: tf.Tensor, initial: tf.Tensor, uzr: tf.Tensor, uh: tf.Tensor, save: tf.GradSaveFunc) => {
    // The backward pass runs after the forward scope is gone: keep the weights it multiplies by.
    save([uzr, uh]);
    const initialShape = initial.shape as [number, number];
    const XG = xg.dataSync() as Float32Array;
    const XC = xc.dataSync() as Float32Array;
    const H0 = initial.dataSync() as Float32Array;
    const states = new Float32Array(rows * units);
    const previous = new Float32Array(rows * units);
    const z = new Float32Array(rows * units);
    const r = new Float32Array(rows * units);
    const candidate = new Float32Array(rows * units);
    const resetState = new Float32Array(rows * units);
    for (let t = 0; t < sizes.length; t++) {
      const n = sizes[t];
      const at = offsets[t] * units;
      const hPrev = t === 0 ? H0.subarray(0, n * units) : states.subarray(offsets[t - 1] * units, (offsets[t - 1] + n) * units);
      previous.set(hPrev, at);
      const end = at + n * units;
      const g = multiply(hPrev, n, units, uzr as tf.Tensor2D);
      for (let i = 0; i < n; i++) {
        const gateRow = (offsets[t] + i) * 2 * units;
        const productRow = i * 2 * units;
        const k = at + i * units;
        for (let j = 0; j < units; j++) {
          z[k + j] = XG[gateRow + j] + g[productRow + j];
          r[k + j] = XG[gateRow + units + j] + g[productRow + units + j];
        }
      }
      sigmoidInPlace(z, at, end);
      sigmoidInPlace(r, at, end);
      for (let q = 0; q < n * units; q++) resetState[at + q] = r[at + q] * hPrev[q];
      const c = multiply(resetState.subarray(at, end), n, units, uh as tf.Tensor2D);
      for (let q = 0; q < n * units; q++) candidate[at + q] = XC[at + q] + c[q];
      tanhInPlace(candidate, at, end);
      for (let q = 0; q < n * units; q++) {
        const k = at + q;
        const cand = candidate[k];
        states[k] = cand + z[k] * (hPrev[q] - cand);
      }
    }
    const value = tf.tensor2d(states, [rows, units]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
      const dH = Float32Array.from(dy.dataSync() as Float32Array); // gradient reaching each row's state, summed as steps go back
      const dH0 = new Float32Array(initialShape[0] * units);
      const dGates = new Float32Array(rows * 2 * units);
      const dCandidate = new Float32Array(rows * units);
      const [uzrT, uhT] = [tf.transpose(saved[0]) as tf.Tensor2D, tf.transpose(saved[1]) as tf.Tensor2D];
      // One buffer for every step's gradient towards the previous state (steps never grow).
      const dPrevAll = new Float32Array((sizes[0] ?? 0) * units);
      for (let t = sizes.length - 1; t >= 0; t--) {
        const n = sizes[t];
        const at = offsets[t] * units;
        const gatesAt = offsets[t] * 2 * units;
        const dPrev = dPrevAll.subarray(0, n * units);
        for (let i = 0; i < n; i++) {
          const row = i * units;
          const gateRow = gatesAt + 2 * row;
          for (let j = 0; j < units; j++) {
            const k = at + row + j;
            const dh = dH[k];
            const cand = candidate[k];
            const zk = z[k];
            dPrev[row + j] = dh * zk;
            dCandidate[k] = dh * (1 - zk) * (1 - cand * cand);
            // dz, stored until the reset gate's part is known
            dGates[gateRow + j] = dh * (previous[k] - cand) * zk * (1 - zk);
          }
        }
        const dReset = multiply(dCandidate.subarray(at, at + n * units), n, units, uhT);
        for (let i = 0; i < n; i++) {
          const row = i * units;
          const gateRow = gatesAt + 2 * row + units;
          for (let j = 0; j < units; j++) {
            const k = at + row + j;
            const rk = r[k];
            dPrev[row + j] += dReset[row + j] * rk;
            dGates[gateRow + j] = dReset[row + j] * previous[k] * rk * (1 - rk);
          }
        }
        const throughGates = multiply(dGates.subarray(gatesAt, gatesAt + n * 2 * units), n, 2 * units, uzrT);
        const target = t === 0 ? dH0 : dH;
        const base = t === 0 ? 0 : offsets[t - 1] * units;
        for (let q = 0; q < n * units; q++) target[base + q] += dPrev[q] + throughGates[q];
      }
      tf.dispose([uzrT, uhT]);
      return tf.tidy(() => {
        const gates = tf.tensor2d(dGates, [rows, 2 * units]);
        const cands = tf.tensor2d(dCandidate, [rows, units]);
        return [
          gates,
          cands,
          tf.tensor2d(dH0, initialShape),
          tf.matMul(tf.tensor2d(previous, [rows, units]), gates, true, false),
          tf.matMul(tf.tensor2d(resetState, [rows, units]), cands, true, false),
        ];
      });
    };
    return { value, gradFunc };
  };
  const op = tf.customGrad(forward as unknown as Parameters<typeof tf.customGrad<tf.Tensor2D>>[0]);
  return op(inputGates, inputCandidate, h0, recurrentGates, recurrentCandidate) as tf.Tensor2D;
}
