/** Derives independent 31-bit seeds from one base seed, so every initializer and noise draw is reproducible. */
export function mixSeed(base: number, index: number): number {
  // murmur3's 32-bit finalizer over (base, index): nearby inputs give unrelated seeds.
  let h = (Math.imul(base ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 1;
}

/** Hands out a fresh seed per call: one per layer initializer, in build order. */
export class SeedSequence {
  private index = 0;
  constructor(private readonly base: number) {}
  next(): number {
    return mixSeed(this.base, this.index++);
  }
}
