import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PRESETS } from '../../../src/models/config';
import { ModelConfigError, parseModelConfig, type ModelConfigContext } from '../../../src/models/parse-config';

const mnist = { kind: 'image' as const, inputShape: [28, 28, 1] };
const table = { kind: 'tabular' as const, inputShape: [13] };
const text = { kind: 'text' as const, inputShape: [16], vocabularySize: 30 };

function problemsOf(input: unknown, context: ModelConfigContext = mnist): readonly string[] {
  try {
    parseModelConfig(input, context);
  } catch (error) {
    assert.ok(error instanceof ModelConfigError, `expected ModelConfigError, got ${String(error)}`);
    return error.problems;
  }
  assert.fail('expected the config to be rejected');
}

describe('parseModelConfig defaults', () => {
  test('an empty config is the textbook dense autoencoder for images', () => {
    const config = parseModelConfig({}, mnist);
    assert.equal(config.preset, 'dense');
    assert.deepEqual(config.hiddenLayers, [128]);
    assert.equal(config.codeSize, 64);
    assert.equal(config.activation, 'relu');
    assert.equal(config.outputActivation, 'sigmoid');
    assert.equal(config.loss, 'mse');
    assert.equal(config.optimizer, 'adam');
    assert.equal(config.learningRate, 0.002);
    assert.equal(config.batchSize, 128);
    // Automatic epochs: no fixed count, stopped by patience within the epoch and time limits.
    assert.equal(config.epochs, undefined);
    assert.equal(config.patience, 10);
    assert.equal(config.maxEpochs, 1000);
    assert.equal(config.maxTimeSeconds, 600);
    assert.equal(config.seed, 42);
    assert.deepEqual(config.convFilters, []);
  });

  test('undefined and null mean the defaults', () => {
    assert.deepEqual(parseModelConfig(undefined, mnist), parseModelConfig({}, mnist));
    assert.deepEqual(parseModelConfig(null, mnist), parseModelConfig({}, mnist));
  });

  test('tabular data gets a linear output (standardized values are not in [0, 1])', () => {
    assert.equal(parseModelConfig({ preset: 'dense' }, table).outputActivation, 'linear');
    assert.equal(parseModelConfig({ preset: 'vae' }, table).loss, 'mse');
  });

  test('deep, conv, denoising, sparse, vae and sequence get their own defaults', () => {
    const deep = parseModelConfig({ preset: 'deep' }, mnist);
    assert.deepEqual([deep.hiddenLayers, deep.codeSize], [[512, 256, 128], 32]);
    const conv = parseModelConfig({ preset: 'conv' }, mnist);
    assert.deepEqual([conv.convFilters, conv.codeSize, conv.kernelSize, conv.hiddenLayers], [[16, 8, 8], 8, 3, []]);
    const denoising = parseModelConfig({ preset: 'denoising' }, mnist);
    assert.deepEqual(denoising.noise, { kind: 'gaussian', level: 0.3 });
    assert.deepEqual(denoising.hiddenLayers, [128]);
    assert.equal(parseModelConfig({ preset: 'sparse' }, mnist).sparsity, 1e-4);
    const vae = parseModelConfig({ preset: 'vae' }, mnist);
    assert.deepEqual([vae.loss, vae.klWeight, vae.outputActivation], ['bce', 1, 'sigmoid']);
    const sequence = parseModelConfig({ preset: 'sequence' }, text);
    assert.deepEqual([sequence.loss, sequence.outputActivation, sequence.rnn, sequence.rnnUnits, sequence.learningRate, sequence.batchSize], ['cce', 'softmax', 'gru', 128, 0.003, 64]);
    assert.equal(parseModelConfig({ preset: 'sequence', batchSize: 128 }, text).batchSize, 128, 'a given batch size is kept');
    assert.equal(parseModelConfig({ preset: 'dense' }, mnist).batchSize, 128);
  });

  test('user values win over preset defaults', () => {
    const config = parseModelConfig({ preset: 'deep', hiddenLayers: [64, 32], codeSize: 8, activation: 'tanh', optimizer: 'sgd', learningRate: 0.1 }, mnist);
    assert.deepEqual([config.hiddenLayers, config.codeSize, config.activation, config.optimizer, config.learningRate], [[64, 32], 8, 'tanh', 'sgd', 0.1]);
    const masking = parseModelConfig({ preset: 'denoising', noise: { kind: 'masking' } }, mnist);
    assert.deepEqual(masking.noise, { kind: 'masking', level: 0.3 });
  });

  test('conv: codeSize sets the channels of the code layer', () => {
    assert.deepEqual(parseModelConfig({ preset: 'conv', codeSize: 4 }, mnist).convFilters, [16, 8, 4]);
    const custom = parseModelConfig({ preset: 'conv', convFilters: [32, 16, 8, 4] }, mnist);
    assert.deepEqual([custom.convFilters, custom.codeSize], [[32, 16, 8, 4], 4]);
  });

  test('a parsed config parses again to itself (config.json of a run can be re-read on resume)', () => {
    for (const preset of PRESETS) {
      const context = preset === 'sequence' ? text : mnist;
      const config = parseModelConfig({ preset }, context);
      assert.deepEqual(parseModelConfig(JSON.parse(JSON.stringify(config)), context), config, preset);
    }
  });
});

describe('parseModelConfig errors', () => {
  test('lists every problem in plain sentences', () => {
    const problems = problemsOf({ batchSize: -3, epochs: 2.5, learningRate: 'fast', hiddenLayers: [128, 0], optimizer: 'adamw' });
    assert.ok(problems.includes('batchSize must be an integer ≥ 1 (got -3)'), problems.join('\n'));
    assert.ok(problems.includes('epochs must be a whole number (got 2.5)'), problems.join('\n'));
    assert.ok(problems.includes('learningRate must be a number (got "fast")'), problems.join('\n'));
    assert.ok(problems.includes('hiddenLayers[1] must be an integer ≥ 1 (got 0)'), problems.join('\n'));
    assert.ok(problems.includes('optimizer must be one of "adam", "sgd", "rmsprop" (got "adamw")'), problems.join('\n'));
    assert.equal(problems.length, 5);
  });

  test('the error message contains every problem', () => {
    assert.throws(
      () => parseModelConfig({ batchSize: 0, validationSplit: 2 }, mnist),
      (error: Error) =>
        error instanceof ModelConfigError &&
        error.message.includes('batchSize must be an integer ≥ 1 (got 0)') &&
        error.message.includes('validationSplit must be a number ≤ 0.9 (got 2)'),
    );
  });

  test('unknown keys are named, with a suggestion when one is close', () => {
    const problems = problemsOf({ codeSzie: 3, colour: 'red' });
    assert.ok(problems.some((p) => p === 'unknown option "codeSzie"; did you mean "codeSize"?'), problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith('unknown option "colour"; known options: preset, codeSize')), problems.join('\n'));
    assert.ok(problemsOf({ noise: { kind: 'gaussian', sigma: 1 }, preset: 'denoising' }).some((p) => p.startsWith('unknown option "sigma" in noise')));
  });

  test('a config that is not an object', () => {
    assert.deepEqual(problemsOf([1, 2]), ['the model config must be a JSON object (got [1,2])']);
    assert.deepEqual(problemsOf('dense'), ['the model config must be a JSON object (got "dense")']);
  });

  test('presets that cannot learn the data say why and what fits', () => {
    assert.deepEqual(problemsOf({ preset: 'conv' }, table), [
      'the conv preset needs image data (height × width × channels), but this dataset is tabular data (13 columns); use dense, deep, denoising, sparse or vae',
    ]);
    assert.match(problemsOf({ preset: 'sequence' }, mnist)[0], /^the sequence preset reads text .* this dataset is image data \(28×28×1\)/);
    assert.match(problemsOf({ preset: 'dense' }, text)[0], /^the dense preset cannot read text; text is learned by the sequence preset/);
    // Reported together with schema problems.
    assert.equal(problemsOf({ preset: 'conv', epochs: 0 }, table).length, 2);
  });

  test('options that would have no effect, or contradict the data, are rejected', () => {
    const problems = problemsOf({ preset: 'dense', noise: { level: 0.5 }, convFilters: [8], rnn: 'lstm', sparsity: 0.1, klWeight: 2 });
    assert.deepEqual(problems, [
      'convFilters applies only to the conv preset, not to dense',
      'noise applies only to the denoising preset, not to dense',
      'sparsity applies only to the sparse preset, not to dense',
      'klWeight applies only to the vae preset and the sequence preset with variational: true, not to dense',
      'rnn applies only to the sequence preset, not to dense',
    ]);
    assert.deepEqual(problemsOf({ loss: 'bce' }, table), ['loss bce needs targets between 0 and 1, but tabular data is standardized (any value); use mse']);
    assert.deepEqual(problemsOf({ loss: 'bce', outputActivation: 'linear' }), ['loss bce needs outputs between 0 and 1: set outputActivation to sigmoid (got linear)']);
    assert.deepEqual(problemsOf({ preset: 'sequence', loss: 'mse' }, text), ['the sequence preset predicts one character out of many: its loss is cce (categorical cross-entropy), not mse']);
    assert.deepEqual(problemsOf({ preset: 'sequence', rnn: 'lstm', klWeight: 2 }, text), [
      'klWeight applies only to the vae preset and the sequence preset with variational: true, not to sequence without it',
      'the sequence preset runs GRU encoder and decoder; rnn lstm is not available for it',
    ]);
    assert.deepEqual(problemsOf({ preset: 'conv', hiddenLayers: [64] }), ['hiddenLayers has no effect on the conv preset (its layers are set by convFilters)']);
    assert.deepEqual(problemsOf({ loss: 'cce' }), ['loss cce (categorical cross-entropy) is for the sequence preset; use mse or bce']);
  });

  test('conv on images too small for its poolings, and dense models too large to train', () => {
    assert.deepEqual(problemsOf({ preset: 'conv', convFilters: [8, 8, 8, 8] }, { kind: 'image', inputShape: [6, 6, 1] }), [
      'the conv preset halves the image 3 times, so it needs at least 8×8 pixels; these images are 6×6 (use fewer convFilters)',
    ]);
    assert.match(problemsOf({ preset: 'deep' }, { kind: 'image', inputShape: [512, 512, 3] })[0], /^this deep model would have about \d+ million parameters/);
  });

  test('image data must be height × width × channels', () => {
    assert.deepEqual(problemsOf({}, { kind: 'image', inputShape: [784] }), ['image data must have the shape height × width × channels, got [784]']);
  });
});
