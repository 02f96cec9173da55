import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import * as path from 'node:path';
import { openDataset } from '../../../src/data/open-dataset';
import { computeStats } from '../../../src/data/stats';
import { assertDatasetError, samplesDir, tempDir, writeFile } from './helpers';

test('CSV: the sample has a header, 8 features and its label column found by name', async () => {
  const ds = await openDataset({ path: path.join(samplesDir, 'tabular', 'iris-like.csv') });
  assert.equal(ds.format, 'csv');
  assert.equal(ds.kind, 'tabular');
  assert.equal(ds.count, 300);
  assert.deepEqual(ds.inputShape, [8]);
  assert.deepEqual(ds.columns, ['f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7', 'f8']);
  assert.deepEqual(ds.classNames, ['alpha', 'beta', 'gamma']);
  assert.equal(ds.labels?.length, 300);
  assert.equal(ds.scaling.kind, 'standardize');
});

test('CSV: without a header, label column by index, standardized batches with the scaling kept', async (t) => {
  const dir = tempDir(t);
  const file = writeFile(dir, 'plain.csv', '1,10,0\n2,20,1\n3,30,0\n\n4,40,1\n');
  const ds = await openDataset({ path: file, labelColumn: 2 });
  assert.equal(ds.count, 4);
  assert.deepEqual(ds.columns, ['column 1', 'column 2']);
  assert.deepEqual(Array.from(ds.labels!), [0, 1, 0, 1]);
  assert.deepEqual(ds.classNames, ['0', '1']);
  assert.ok(ds.scaling.kind === 'standardize');
  assert.deepEqual(ds.scaling.mean, [2.5, 25]);
  const std = Math.sqrt(1.25);
  assert.ok(Math.abs(ds.scaling.std[0] - std) < 1e-9);
  const out = new Float32Array(4);
  ds.fillBatch([0, 3], out);
  assert.deepEqual(Array.from(out), [-1.5 / std, -1.5 / std, 1.5 / std, 1.5 / std].map(Math.fround));
  // Inverting the kept scaling gives the stored values back.
  assert.ok(Math.abs(out[1] * ds.scaling.std[1] + ds.scaling.mean[1] - 10) < 1e-5);

  const noLabels = await openDataset({ path: file });
  assert.deepEqual(noLabels.inputShape, [3]);
  assert.equal(noLabels.labels, undefined);
});

test('TSV with a header, a named label column of text, a constant column and quoted cells', async (t) => {
  const dir = tempDir(t);
  const file = writeFile(dir, 'data.tsv', 'kind\ta\tb\tconst\ncat\t1.5\t-2\t7\ndog\t2.5\t"3e2"\t7\ncat\t0\t1\t7\n');
  const ds = await openDataset({ path: file, labelColumn: 'kind' });
  assert.deepEqual(ds.columns, ['a', 'b', 'const']);
  assert.deepEqual(Array.from(ds.sample(1)), [2.5, 300, 7]);
  assert.deepEqual(ds.classNames, ['cat', 'dog']);
  assert.deepEqual(Array.from(ds.labels!), [0, 1, 0]);
  // A constant column keeps std 1: no division by zero.
  assert.ok(ds.scaling.kind === 'standardize' && ds.scaling.std[2] === 1);
  const stats = computeStats(ds);
  assert.deepEqual(stats.columns?.map((c) => c.name), ['a', 'b', 'const']);
  assert.equal(stats.columns?.[1].max, 300);
  assert.equal(stats.histogram.length, 32);
  assert.equal(stats.histogram.reduce((a, b) => a + b, 0), 9);
});

test('CSV hostile input: missing values, text and NaN cells with line numbers and columns; ragged rows; bad label column', async (t) => {
  const dir = tempDir(t);
  const missing = writeFile(dir, 'missing.csv', 'a,b,c\n1,2,3\n4,,6\n7,8,9\n');
  await assertDatasetError(openDataset({ path: missing }), missing, /^has a problem: line 3, column 2 \("b"\): missing value$/);
  const text = writeFile(dir, 'text.csv', 'a,b\n1,2\n3,hello\nNaN,4\n5,Infinity\n');
  await assertDatasetError(
    openDataset({ path: text }),
    text,
    /^has 3 problems: line 3, column 2 \("b"\): "hello" is not a number; line 4, column 1 \("a"\): "NaN" is not a number; line 5, column 2 \("b"\): "Infinity" is not a number$/,
  );
  const named = writeFile(dir, 'named.csv', 'x,y\n1,2\n');
  await assertDatasetError(openDataset({ path: named, labelColumn: 'nope' }), named, /has no label column named "nope" \(columns are "x", "y"\)/);
  const manyNoHeader = writeFile(dir, 'many2.csv', `1\n${Array.from({ length: 9 }, () => 'oops').join('\n')}\n`);
  await assertDatasetError(openDataset({ path: manyNoHeader }), manyNoHeader, /has 9 problems: line 2, column 1: "oops" is not a number; .*; and 4 more$/);
  // Text under text is a label column, not a header: without a chosen label column the error says so.
  const unnamed = writeFile(dir, 'unnamed.csv', '1,2,setosa\n3,4,virginica\n');
  await assertDatasetError(
    openDataset({ path: unnamed }),
    unnamed,
    /^has 2 problems: line 1, column 3: "setosa" is not a number; line 2, column 3: "virginica" is not a number \(if column 3 holds class labels, choose it as the label column, index 2\)$/,
  );
  const chosen = await openDataset({ path: unnamed, labelColumn: 2 });
  assert.deepEqual([chosen.count, chosen.classNames], [2, ['setosa', 'virginica']]);
  const ragged = writeFile(dir, 'ragged.csv', '1,2,3\n4,5\n');
  await assertDatasetError(openDataset({ path: ragged }), ragged, /line 2: has 2 cells, expected 3/);
  const quote = writeFile(dir, 'quote.csv', 'a,b\n1,"2\n3,4\n');
  await assertDatasetError(openDataset({ path: quote }), quote, /cannot be parsed as CSV: .*quote/i);
  const empty = writeFile(dir, 'empty.csv', '');
  await assertDatasetError(openDataset({ path: empty }), empty, /empty \(zero bytes\)/);
  const headerOnly = writeFile(dir, 'header.csv', 'a,b\n');
  await assertDatasetError(openDataset({ path: headerOnly }), headerOnly, /has a header but no data rows/);
  const index = writeFile(dir, 'index.csv', '1,2\n');
  await assertDatasetError(openDataset({ path: index, labelColumn: 5 }), index, /label column 5 does not exist: rows have 2 columns/);
  const binary = writeFile(dir, 'binary.csv', Buffer.from([1, 2, 0, 4]));
  await assertDatasetError(openDataset({ path: binary }), binary, /is binary/);
});
