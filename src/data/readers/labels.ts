import { DatasetError, type StorageArray } from '../dataset';

export interface ClassLabels {
  values: Int32Array;
  classNames: string[];
}

/**
 * Class indices from label values: the distinct values in increasing order become classes 0..k-1,
 * named by their value. Labels 0..9 thus stay 0..9; sparse labels (3, 5, 7) become 0, 1, 2 named "3", "5", "7".
 */
export function classLabelsFromNumbers(file: string, values: ArrayLike<number> | StorageArray): ClassLabels {
  const distinct = new Set<number>();
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isInteger(v)) throw new DatasetError(file, `label ${v} of sample ${i} is not a whole number; labels must be class numbers`);
    distinct.add(v);
    if (distinct.size > 10000) throw new DatasetError(file, 'labels have more than 10,000 distinct values; they look like data, not classes');
  }
  const sorted = [...distinct].sort((a, b) => a - b);
  const index = new Map(sorted.map((v, k) => [v, k]));
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = index.get(values[i])!;
  return { values: out, classNames: sorted.map(String) };
}

/** Class indices from label strings: distinct names sorted (numerically when they are all numbers). */
export function classLabelsFromStrings(file: string, names: readonly string[]): ClassLabels {
  if (names.every((n) => n.trim() !== '' && Number.isFinite(Number(n)))) return classLabelsFromNumbers(file, names.map(Number));
  const sorted = [...new Set(names)].sort((a, b) => a.localeCompare(b));
  if (sorted.length > 10000) throw new DatasetError(file, 'labels have more than 10,000 distinct values; they look like data, not classes');
  const index = new Map(sorted.map((v, k) => [v, k]));
  return { values: Int32Array.from(names, (n) => index.get(n)!), classNames: sorted };
}
