import { mulberry32, permutation } from './random';

export interface Split {
  train: Int32Array;
  validation: Int32Array;
}

/**
 * A seeded train/validation split of sample indices: the same count, fraction and seed always give
 * the same split. With a fraction > 0 and at least two samples, each side gets at least one sample.
 * Both sides are returned in increasing index order; shuffling per epoch is the trainer's job.
 */
export function splitIndices(count: number, validationSplit: number, seed: number): Split {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`count must be a whole number >= 0, got ${count}`);
  if (!(validationSplit >= 0 && validationSplit < 1)) throw new RangeError(`validationSplit must be in [0, 1), got ${validationSplit}`);
  let validationCount = Math.round(count * validationSplit);
  if (validationSplit > 0 && count >= 2) validationCount = Math.min(Math.max(validationCount, 1), count - 1);
  const order = permutation(count, mulberry32(seed));
  return {
    validation: order.slice(0, validationCount).sort(),
    train: order.slice(validationCount).sort(),
  };
}
