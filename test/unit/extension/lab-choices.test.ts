import assert from 'node:assert/strict';
import { test } from 'node:test';
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
