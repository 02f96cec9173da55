import {
  product,
  type Dataset,
  type DatasetFormat,
  type Scaling,
  type StorageArray,
  type StorageDType,
} from './dataset';

export interface ArrayDatasetOptions {
  source: string;
  name: string;
  format: DatasetFormat;
  kind: 'image' | 'tabular';
  /** All samples one after another, `count * product(sampleShape)` values. */
  data: StorageArray;
  count: number;
  sampleShape: readonly number[];
  /** Defaults to sampleShape for tabular data and [h, w, 1] for [h, w] images. */
  inputShape?: readonly number[];
  labels?: Int32Array;
  classNames?: readonly string[];
  columns?: readonly string[];
}

export function dtypeOf(data: StorageArray): StorageDType {
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Int16Array) return 'int16';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Uint16Array) return 'uint16';
  if (data instanceof Uint32Array) return 'uint32';
  if (data instanceof Float32Array) return 'float32';
  return 'float64';
}

/**
 * The Dataset over one typed array of samples, shared by the IDX, NumPy, CSV and image-folder readers.
 * Values stay in their storage type; `fillBatch` is the one place they become float32:
 * images to [0, 1] (uint8 as v / 255, other types by the data's min and max),
 * tabular data standardized per column.
 */
export function createArrayDataset(options: ArrayDatasetOptions): Dataset {
  const { data, count, kind } = options;
  const sampleShape = [...options.sampleShape];
  const sampleSize = product(sampleShape);
  if (data.length < count * sampleSize) {
    throw new RangeError(`data holds ${data.length} values, fewer than ${count} samples of ${sampleSize}`);
  }
  const inputShape = [...(options.inputShape ?? (kind === 'image' && sampleShape.length === 2 ? [...sampleShape, 1] : sampleShape))];
  const values = data.subarray(0, count * sampleSize) as StorageArray;
  let scaling: Scaling;
  let fill: Filler;
  if (kind === 'image') {
    const unit = unitScaling(values);
    scaling = unit;
    fill = unitFiller(values, sampleSize, unit);
  } else {
    const standardize = standardizeScaling(values, count, sampleSize);
    scaling = standardize;
    fill = standardizeFiller(values, sampleSize, standardize);
  }

  const checkIndex = (i: number): void => {
    if (!(Number.isInteger(i) && i >= 0 && i < count)) throw new RangeError(`sample index ${i} is outside 0..${count - 1}`);
  };

  return {
    source: options.source,
    name: options.name,
    format: options.format,
    kind,
    count,
    sampleShape,
    inputShape,
    dtype: dtypeOf(values),
    scaling,
    labels: options.labels,
    classNames: options.classNames,
    columns: options.columns,
    sample(i: number): StorageArray {
      checkIndex(i);
      return values.subarray(i * sampleSize, (i + 1) * sampleSize) as StorageArray;
    },
    fillBatch(indices: ArrayLike<number>, out: Float32Array): void {
      if (out.length < indices.length * sampleSize) {
        throw new RangeError(`batch buffer holds ${out.length} values, ${indices.length * sampleSize} needed`);
      }
      for (let k = 0; k < indices.length; k++) {
        const i = indices[k];
        checkIndex(i);
        fill(i * sampleSize, out, k * sampleSize);
      }
    },
  };
}

type Filler = (from: number, out: Float32Array, to: number) => void;
type UnitScaling = Extract<Scaling, { kind: 'unit' }>;
type StandardizeScaling = Extract<Scaling, { kind: 'standardize' }>;

/** uint8 images are [0, 255] by definition; other values by their actual range unless they already look like pixels. */
function unitScaling(values: StorageArray): UnitScaling {
  if (values instanceof Uint8Array) return { kind: 'unit', min: 0, max: 255 };
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!Number.isFinite(min) || !Number.isFinite(max)) return { kind: 'unit', min: 0, max: 1 };
  const isFloat = values instanceof Float32Array || values instanceof Float64Array;
  // Floats already in [0, 1] are kept as they are, and integers within 0..255 are pixel values: not stretched.
  if (isFloat && min >= 0 && max <= 1) return { kind: 'unit', min: 0, max: 1 };
  if (!isFloat && min >= 0 && max <= 255) return { kind: 'unit', min: 0, max: 255 };
  return { kind: 'unit', min, max: max > min ? max : min + 1 };
}

function unitFiller(values: StorageArray, sampleSize: number, scaling: UnitScaling): Filler {
  if (values instanceof Uint8Array && scaling.min === 0 && scaling.max === 255) {
    // A lookup table gives exactly v / 255 in float32 and is the fastest path for the common case.
    const table = new Float32Array(256);
    for (let v = 0; v < 256; v++) table[v] = v / 255;
    return (from, out, to) => {
      for (let j = 0; j < sampleSize; j++) out[to + j] = table[values[from + j]];
    };
  }
  const { min } = scaling;
  const range = scaling.max - scaling.min;
  return (from, out, to) => {
    for (let j = 0; j < sampleSize; j++) out[to + j] = (values[from + j] - min) / range;
  };
}

/** Mean and standard deviation per column, over every row; a constant column gets std 1 (no division by 0). */
function standardizeScaling(values: StorageArray, count: number, columns: number): StandardizeScaling {
  const sum = new Float64Array(columns);
  const sumSquares = new Float64Array(columns);
  for (let r = 0; r < count; r++) {
    const offset = r * columns;
    for (let c = 0; c < columns; c++) sum[c] += values[offset + c];
  }
  const mean = Array.from(sum, (s) => (count > 0 ? s / count : 0));
  for (let r = 0; r < count; r++) {
    const offset = r * columns;
    for (let c = 0; c < columns; c++) {
      const d = values[offset + c] - mean[c];
      sumSquares[c] += d * d;
    }
  }
  const std = Array.from(sumSquares, (s) => {
    const value = count > 0 ? Math.sqrt(s / count) : 0;
    return value > 1e-12 ? value : 1;
  });
  return { kind: 'standardize', mean, std };
}

function standardizeFiller(values: StorageArray, sampleSize: number, scaling: StandardizeScaling): Filler {
  const mean = Float64Array.from(scaling.mean);
  const inverseStd = Float64Array.from(scaling.std, (s) => 1 / s);
  return (from, out, to) => {
    for (let j = 0; j < sampleSize; j++) out[to + j] = (values[from + j] - mean[j]) * inverseStd[j];
  };
}
