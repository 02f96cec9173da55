/**
 * Two-component PCA of a small set of codes (n rows of d values, row-major), by power iteration on
 * the covariance with deflation. The covariance is never formed: C·v = Xᵀ(X·v)/(n−1), so a wide
 * conv code (d = 392) costs O(n·d) per iteration, not O(d²).
 * Deterministic: a fixed start vector, and each axis's sign fixed so that its largest component is
 * positive — the same codes give the same picture, and the picture does not flip between epochs.
 */

const MAX_ITERATIONS = 200;
const TOLERANCE = 1e-9;

export interface Projection2D {
  /** x0, y0, x1, y1, … one pair per row. */
  points: number[];
  /** Variance along each axis (the eigenvalues). */
  variances: [number, number];
  /** The two principal axes (unit vectors of length `columns`) and the mean they are centred on. */
  axes: [Float64Array, Float64Array];
  mean: Float64Array;
}

export function projectPca2D(values: Float32Array | Float64Array | number[], rows: number, columns: number): Projection2D {
  if (rows === 0 || columns === 0) {
    return { points: [], variances: [0, 0], axes: [new Float64Array(columns), new Float64Array(columns)], mean: new Float64Array(columns) };
  }
  if (values.length < rows * columns) throw new Error(`projectPca2D: ${values.length} values cannot hold ${rows}×${columns}`);

  const { centered, mean } = center(values, rows, columns);
  const first = principalAxis(centered, rows, columns, []);
  const second = columns > 1 ? principalAxis(centered, rows, columns, [first.axis]) : { axis: new Float64Array(columns), variance: 0 };

  const points = new Array<number>(rows * 2);
  for (let r = 0; r < rows; r++) {
    let x = 0;
    let y = 0;
    const offset = r * columns;
    for (let c = 0; c < columns; c++) {
      x += centered[offset + c] * first.axis[c];
      y += centered[offset + c] * second.axis[c];
    }
    points[r * 2] = x;
    points[r * 2 + 1] = y;
  }
  return { points, variances: [first.variance, second.variance], axes: [first.axis, second.axis], mean };
}

function center(values: ArrayLike<number>, rows: number, columns: number): { centered: Float64Array; mean: Float64Array } {
  const mean = new Float64Array(columns);
  for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) mean[c] += values[r * columns + c];
  for (let c = 0; c < columns; c++) mean[c] /= rows;
  const centered = new Float64Array(rows * columns);
  for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) centered[r * columns + c] = values[r * columns + c] - mean[c];
  return { centered, mean };
}

/** The leading eigenvector of the covariance, orthogonal to the axes already found. */
function principalAxis(
  x: Float64Array,
  rows: number,
  columns: number,
  found: Float64Array[],
): { axis: Float64Array; variance: number } {
  // A fixed, non-symmetric start so it is unlikely to be orthogonal to the answer.
  let v: Float64Array = new Float64Array(columns);
  for (let c = 0; c < columns; c++) v[c] = 1 + ((c * 7919) % 13) / 13;
  orthogonalize(v, found);
  if (!normalize(v)) return { axis: new Float64Array(columns), variance: 0 };

  let variance = 0;
  const projected = new Float64Array(rows);
  for (let iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
    const next = covarianceTimes(x, rows, columns, v, projected);
    orthogonalize(next, found);
    let norm = 0;
    for (let c = 0; c < columns; c++) norm += next[c] * next[c];
    norm = Math.sqrt(norm);
    if (norm === 0 || !Number.isFinite(norm)) return { axis: new Float64Array(columns), variance: 0 };
    for (let c = 0; c < columns; c++) next[c] /= norm;
    let change = 0;
    for (let c = 0; c < columns; c++) change += (next[c] - v[c]) ** 2;
    v = next;
    variance = norm;
    if (change < TOLERANCE) break;
  }
  fixSign(v);
  return { axis: v, variance };
}

function covarianceTimes(x: Float64Array, rows: number, columns: number, v: Float64Array, scratch: Float64Array): Float64Array {
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    const offset = r * columns;
    for (let c = 0; c < columns; c++) sum += x[offset + c] * v[c];
    scratch[r] = sum;
  }
  const out = new Float64Array(columns);
  for (let r = 0; r < rows; r++) {
    const s = scratch[r];
    if (s === 0) continue;
    const offset = r * columns;
    for (let c = 0; c < columns; c++) out[c] += x[offset + c] * s;
  }
  const denominator = Math.max(1, rows - 1);
  for (let c = 0; c < columns; c++) out[c] /= denominator;
  return out;
}

function orthogonalize(v: Float64Array, axes: Float64Array[]): void {
  for (const axis of axes) {
    let dot = 0;
    for (let c = 0; c < v.length; c++) dot += v[c] * axis[c];
    for (let c = 0; c < v.length; c++) v[c] -= dot * axis[c];
  }
}

function normalize(v: Float64Array): boolean {
  let norm = 0;
  for (let c = 0; c < v.length; c++) norm += v[c] * v[c];
  norm = Math.sqrt(norm);
  if (norm === 0) return false;
  for (let c = 0; c < v.length; c++) v[c] /= norm;
  return true;
}

function fixSign(v: Float64Array): void {
  let largest = 0;
  for (let c = 0; c < v.length; c++) if (Math.abs(v[c]) > Math.abs(v[largest])) largest = c;
  if (v[largest] < 0) for (let c = 0; c < v.length; c++) v[c] = -v[c];
}
