import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { browseOrder } from '../../../src/data/browse-order';
import { presetShapes } from '../../../src/models/preset-shape';
import { inspectDataset } from '../../../src/trainer/inspect-request';
import { repoRoot } from '../trainer/trainer-helpers';

test('browse order interleaves classes and keeps every sample once', () => {
  const order = browseOrder(7, [0, 0, 0, 1, 1, 2, 0]);
  assert.deepEqual(Array.from(order), [0, 3, 5, 1, 4, 2, 6]);
  assert.deepEqual(Array.from(browseOrder(3, undefined)), [0, 1, 2]);
});

test('the first page of an image folder sorted by class shows every class', async () => {
  const page = await inspectDataset({ path: join(repoRoot, 'samples', 'digits') }, 0, 64);
  assert.deepEqual([...new Set(page.sampleLabels)].sort(), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(new Set(page.sampleIndices).size, 64);
  assert.equal(page.sampleLabels![1], 1);
});

test('preset labels show the network built for the data', () => {
  const shapes = presetShapes('image', [20, 20, 1]);
  assert.equal(shapes.dense, '400-128-64-128-400');
  assert.equal(shapes.conv, '20×20×1 → 5×5×8');
  assert.equal(shapes.sequence, undefined, 'the sequence preset cannot read images');
  assert.equal(presetShapes('tabular', [8]).deep, '8-512-256-128-32-128-256-512-8');
});
