/**
 * The one dataset interface every reader returns. Samples stay in their compact
 * storage type (uint8 for images) and are scaled to float32 only batch by batch.
 */

export type DatasetFormat = 'idx' | 'npy' | 'npz' | 'csv' | 'image-folder' | 'text';

/** What a sample is, which decides scaling, the presets that fit and how it is drawn. */
export type DatasetKind = 'image' | 'tabular' | 'text';

export type StorageDType = 'uint8' | 'int8' | 'int16' | 'int32' | 'uint16' | 'uint32' | 'float32' | 'float64';

export type StorageArray = Uint8Array | Int8Array | Int16Array | Int32Array | Uint16Array | Uint32Array | Float32Array | Float64Array;

/** How stored values become training values; kept so reconstructions can be mapped back. */
export type Scaling =
  | { kind: 'unit'; min: number; max: number } // (v - min) / (max - min) into [0, 1]
  | { kind: 'standardize'; mean: number[]; std: number[] } // per feature (v - mean) / std
  | { kind: 'indices'; vocabularySize: number }; // text: character indices as they are (the model embeds them)

export interface Dataset {
  /** Absolute path of the file or folder the data came from (the images file for IDX). */
  readonly source: string;
  readonly name: string;
  readonly format: DatasetFormat;
  readonly kind: DatasetKind;
  readonly count: number;
  /** Shape of one stored sample, e.g. [28, 28] for IDX images, [columns] for CSV, [maxLength] for text. */
  readonly sampleShape: readonly number[];
  /** Shape of one training sample as the model sees it: [h, w, c] for images, [n] tabular, [maxLength] character indices for text. */
  readonly inputShape: readonly number[];
  readonly dtype: StorageDType;
  readonly scaling: Scaling;
  /** Class index per sample, if the data has labels. */
  readonly labels?: Int32Array;
  readonly classNames?: readonly string[];
  /** Column names for tabular data. */
  readonly columns?: readonly string[];
  /** Text data: index -> character; index 0 is padding, 1 is end of sequence, 2 a character outside the vocabulary. */
  readonly vocabulary?: readonly string[];
  /** What the reader changed about the data, in sentences (text: lines cut, rare characters read as unknown). */
  readonly notes?: readonly string[];

  /** Raw stored values of sample i (a view, do not modify). */
  sample(i: number): StorageArray;
  /** Text data: the original line of sample i. */
  text?(i: number): string;
  /**
   * Writes the scaled float32 training values of the given samples one after another into `out`
   * (length >= indices.length * product(inputShape)).
   */
  fillBatch(indices: ArrayLike<number>, out: Float32Array): void;
}

/** Any problem with a dataset: always names the file and the problem, never only a stack trace. */
export class DatasetError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'DatasetError';
  }
}

export function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
