// Experiment: the Adam pass of FusedAdam (src/models/fused-adam.ts adamPass, double precision, float32
// results) against the same loop rounding every intermediate with Math.fround (bit for bit tfjs's float32
// kernels), on one 100k-element variable.
//   node --import tsx bench/experiments/adam-pass.ts
import { adamPass, type AdamUpdateAttrs } from '../../src/models/fused-adam';

function froundPass(xs: Float32Array, gs: Float32Array, ms: Float32Array, vs: Float32Array, x1: Float32Array, m1: Float32Array, v1: Float32Array, p: AdamUpdateAttrs): void {
  const f = Math.fround;
  const [b1, b2, c1, c2, eps, lr] = [p.beta1, p.beta2, p.correction1, p.correction2, p.epsilon, p.learningRate].map(f);
  const [nb1, nb2] = [f(1 - p.beta1), f(1 - p.beta2)];
  for (let i = 0; i < xs.length; i++) {
    const gi = gs[i];
    const mi = f(f(ms[i] * b1) + f(gi * nb1));
    const vi = f(f(vs[i] * b2) + f(f(gi * gi) * nb2));
    m1[i] = mi;
    v1[i] = vi;
    x1[i] = xs[i] - f(f(f(mi / c1) / f(f(Math.sqrt(f(vi / c2))) + eps)) * lr);
  }
}

const n = 100352;
const make = () => Float32Array.from({ length: n }, () => Math.random() * 0.01);
const [xs, gs, ms, vs] = [make(), make(), make(), make()];
const [x1, m1, v1] = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
const attrs: AdamUpdateAttrs = { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, correction1: 0.1, correction2: 0.001 };
for (const [name, pass] of [['adamPass', adamPass], ['fround', froundPass], ['adamPass', adamPass], ['fround', froundPass]] as const) {
  for (let k = 0; k < 50; k++) pass(xs, gs, ms, vs, x1, m1, v1, attrs);
  const t0 = performance.now();
  for (let k = 0; k < 200; k++) pass(xs, gs, ms, vs, x1, m1, v1, attrs);
  console.log(`${name}: ${((performance.now() - t0) / 200).toFixed(3)} ms per ${n} elements`);
}
