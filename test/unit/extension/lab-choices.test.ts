import assert from 'node:assert/strict';
import { test } from 'node:test';
import { targetFromSavedState } from '../../../src/extension/lab-target';
import { presetFor } from '../../../src/extension/preset-choice';

test('auto picks sequence for text and dense otherwise; a chosen preset is kept where it can read the data', () => {
  assert.equal(presetFor('text', 'auto'), 'sequence');
  assert.equal(presetFor('text', 'conv'), 'sequence');
  assert.equal(presetFor('image', 'auto'), 'dense');
  assert.equal(presetFor('image', 'conv'), 'conv');
  assert.equal(presetFor('tabular', 'vae'), 'vae');
  assert.equal(presetFor('image', 'sequence'), 'dense');
  assert.equal(presetFor(undefined, 'no-such-preset'), 'dense');
});

test('a reloaded lab finds its dataset and run in the saved webview state, in either shape', () => {
  assert.deepEqual(targetFromSavedState({ datasetPath: '/d.npy', runDir: '/runs/a' }), { datasetPath: '/d.npy', runDir: '/runs/a' });
  assert.deepEqual(targetFromSavedState({ dataset: { summary: { path: '/d.npy' } }, run: { runDir: '/runs/b' } }), {
    datasetPath: '/d.npy',
    runDir: '/runs/b',
  });
  assert.deepEqual(targetFromSavedState({ datasetPath: '/d.npy' }), { datasetPath: '/d.npy', runDir: undefined });
  assert.equal(targetFromSavedState({ scrollTop: 40 }), undefined, 'UI-only state is no target');
  assert.equal(targetFromSavedState(undefined), undefined);
  assert.equal(targetFromSavedState('x'), undefined);
});
