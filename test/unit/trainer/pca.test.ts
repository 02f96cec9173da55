import assert from 'node:assert/strict';
import { test } from 'node:test';
import { projectPca2D } from '../../../src/trainer/pca';

test('projects points spread along a known direction onto the first axis', () => {
  // Points on the line t·(3, 4, 0) plus a small spread along (0, 0, 1): the axes are (0.6, 0.8, 0) and (0, 0, 1).
  const rows = 48;
  const values = new Float64Array(rows * 3);
  for (let r = 0; r < rows; r++) {
    const t = r - rows / 2;
    values[r * 3] = 3 * t;
    values[r * 3 + 1] = 4 * t;
    values[r * 3 + 2] = (r % 4 === 0 || r % 4 === 3 ? 1 : -1) * 0.5; // uncorrelated with t
  }
  const { points, variances } = projectPca2D(values, rows, 3);
  assert.equal(points.length, rows * 2);
  for (let r = 0; r < rows; r++) {
    assert.ok(Math.abs(Math.abs(points[r * 2 + 1]) - 0.5) < 1e-6, `second coordinate of row ${r}: ${points[r * 2 + 1]}`);
  }
  // The first coordinate is the position along the line: consecutive rows are 5 apart.
  assert.ok(Math.abs(Math.abs(points[2] - points[0]) - 5) < 1e-6);
  assert.ok(variances[0] > variances[1]);
  assert.ok(Math.abs(variances[1] - (0.25 * rows) / (rows - 1)) < 1e-6);
  const [first, second] = projectPca2D(values, rows, 3).axes;
  assert.ok(Math.abs(first[0] - 0.6) < 1e-6 && Math.abs(first[1] - 0.8) < 1e-6 && Math.abs(first[2]) < 1e-6, `first axis ${first}`);
  assert.ok(Math.abs(Math.abs(second[2]) - 1) < 1e-6, `second axis ${second}`);
});

test('is deterministic and sign-stable', () => {
  const rows = 40;
  const columns = 16;
  const values = new Float32Array(rows * columns);
  let state = 12345;
  for (let i = 0; i < values.length; i++) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    values[i] = state / 2 ** 31;
  }
  assert.deepEqual(projectPca2D(values, rows, columns), projectPca2D(values, rows, columns));
});

test('handles degenerate input: one column, constant rows, no rows', () => {
  assert.deepEqual(projectPca2D([], 0, 4).points, []);
  assert.equal(projectPca2D([], 0, 4).axes[0].length, 4);
  const one = projectPca2D([1, 2, 3], 3, 1);
  assert.deepEqual(one.points.map((v) => Math.round(v * 1e6) / 1e6), [-1, 0, 0, 0, 1, 0]);
  const constant = projectPca2D([2, 2, 2, 2], 2, 2);
  assert.deepEqual(constant.points, [0, 0, 0, 0]);
});
