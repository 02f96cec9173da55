import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PRESETS } from '../../../src/models/config';
import { parseModelConfig } from '../../../src/models/parse-config';
import { DATA_PARALLEL_PRESETS } from '../../../src/trainer/parallel/data-parallel-step';
import { AUTO_TWO_THREAD_PRESETS, resolveTrainingThreads } from '../../../src/trainer/parallel/training-threads';

// How many training threads a run gets: the automatic rule and the user's explicit choice.

describe('training threads', () => {
  test('auto: two threads for conv on wasm with two or more cores, one everywhere else', () => {
    for (const preset of PRESETS) {
      for (const backend of ['wasm', 'tensorflow', 'cpu']) {
        for (const cores of [1, 2, 8]) {
          const expected = preset === 'conv' && backend === 'wasm' && cores >= 2 ? 2 : 1;
          const answer = resolveTrainingThreads({ preset, requested: 'auto', backend, cores });
          assert.equal(answer.threads, expected, `${preset} on ${backend}, ${cores} cores`);
          assert.equal(answer.note, undefined);
        }
      }
    }
  });

  test('an explicit 1 or 2 wins over the rule; 2 falls back to one thread where the loss draws random numbers', () => {
    for (const preset of PRESETS) {
      for (const backend of ['wasm', 'tensorflow']) {
        assert.equal(resolveTrainingThreads({ preset, requested: 1, backend, cores: 2 }).threads, 1, `${preset} on ${backend}, threads 1`);
        const two = resolveTrainingThreads({ preset, requested: 2, backend, cores: 1 });
        if (DATA_PARALLEL_PRESETS.includes(preset)) {
          assert.deepEqual(two, { threads: 2 }, `${preset} on ${backend}, threads 2`);
        } else {
          assert.equal(two.threads, 1, `${preset} on ${backend}, threads 2`);
          assert.match(two.note ?? '', new RegExp(`${preset} draws random numbers in each half of its loss, training on one thread`));
        }
      }
    }
  });

  test('the automatic list only names presets that can train on two threads', () => {
    for (const [backend, presets] of Object.entries(AUTO_TWO_THREAD_PRESETS)) {
      for (const preset of presets) assert.ok(DATA_PARALLEL_PRESETS.includes(preset), `${preset} on ${backend}`);
    }
  });

  test('the config: auto when unset, 1, 2 or "auto" accepted, anything else refused by name', () => {
    const shape = { kind: 'image' as const, inputShape: [28, 28, 1] };
    assert.equal(parseModelConfig({ preset: 'conv' }, shape).threads, 'auto');
    assert.equal(parseModelConfig({ preset: 'conv', threads: 'auto' }, shape).threads, 'auto');
    assert.equal(parseModelConfig({ preset: 'conv', threads: 1 }, shape).threads, 1);
    assert.equal(parseModelConfig({ preset: 'conv', threads: 2 }, shape).threads, 2);
    for (const bad of [3, 0, 1.5, 'two']) assert.throws(() => parseModelConfig({ preset: 'conv', threads: bad }, shape), /threads/);
  });
});
