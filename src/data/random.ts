/**
 * A small seeded pseudo-random generator and the few helpers built on it. Shared by the data split,
 * the trainer (batch order, noise) and the models, so that the same seed gives the same run.
 */

/** Returns numbers uniformly in [0, 1). */
export type Random = () => number;

/** mulberry32: 32-bit state, fast, good enough for shuffling and noise (not for cryptography). */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [0, n). */
export function randomInt(random: Random, n: number): number {
  return Math.floor(random() * n);
}

/** Fisher–Yates shuffle of any indexable array, in place. Returns the same array. */
export function shuffleInPlace<T extends { length: number; [index: number]: unknown }>(array: T, random: Random): T {
  for (let i = array.length - 1; i > 0; i--) {
    const j = randomInt(random, i + 1);
    const swap = array[i];
    array[i] = array[j];
    array[j] = swap;
  }
  return array;
}

/** A standard normal sample (Box–Muller; the second value is dropped to keep the state simple). */
export function gaussian(random: Random): number {
  let u = 0;
  while (u === 0) u = random(); // log(0) would be -Infinity
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** 0, 1, …, count-1 in a seeded random order. */
export function permutation(count: number, random: Random): Int32Array {
  const order = new Int32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  return shuffleInPlace(order, random);
}

/** `k` distinct indices out of [0, count), in increasing order (all of them when k >= count). */
export function sampleIndices(count: number, k: number, random: Random): Int32Array {
  if (k >= count) return Int32Array.from({ length: count }, (_, i) => i);
  return permutation(count, random).subarray(0, k).sort();
}
