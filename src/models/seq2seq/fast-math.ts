/**
 * sigmoid and tanh over ranges of arrays, for the packed GRU's gates (gru-sequence.ts): those loops
 * run hundreds of thousands of times a batch, and V8's Math.exp / Math.tanh cost about twice this exp.
 * Exact to float32: relative error below 1e-8 (a degree-7 Taylor polynomial of e^f on |f| <= ln(2) / 2,
 * scaled by a table of powers of two). Whole ranges per call, so that the per-element function is
 * inlined here whatever the module system does to calls across files.
 */

const POWERS_OF_TWO = Float64Array.from({ length: 256 }, (_, i) => 2 ** (i - 127));

/** e^x for any x (0 below -87, the float32 range's end; large x saturate at e^88). */
function exp(x: number): number {
  if (x < -87) return 0;
  if (x > 88) x = 88;
  // t >= 1.9 here: truncation is the floor, n the nearest power of two (offset by the table's 127).
  const t = x * Math.LOG2E + 127.5;
  const n = t | 0;
  const f = (t - n - 0.5) * Math.LN2;
  const p = 1 + f * (1 + f * (1 / 2 + f * (1 / 6 + f * (1 / 24 + f * (1 / 120 + f * (1 / 720 + f * (1 / 5040)))))));
  return p * POWERS_OF_TWO[n];
}

export function sigmoidInPlace(values: Float32Array, from: number, to: number): void {
  for (let i = from; i < to; i++) values[i] = 1 / (1 + exp(-values[i]));
}

/** tanh from e^-2|x|: no cancellation for large |x|, and the polynomial is exact near 0. */
export function tanhInPlace(values: Float32Array, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    const x = values[i];
    const e = exp(-2 * Math.abs(x));
    const t = (1 - e) / (1 + e);
    values[i] = x < 0 ? -t : t;
  }
}
