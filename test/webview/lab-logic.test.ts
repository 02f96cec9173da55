import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunView } from '../../src/protocol/lab-protocol';
import { configForPreset, configKey, configToSend, fieldsForPreset, fieldText, parseField, writeField, CONFIG_FIELDS } from '../../webview/lab/config-fields';
import { batchesPerEpoch, buildLossSeries, epochOffset } from '../../webview/shared/loss-series';

function run(partial: Partial<RunView>): RunView {
  return { runDir: '/r', name: 'r', status: 'running', paused: false, config: {}, epochs: [], batchSteps: [], batchLosses: [], reconstructions: [], ...partial };
}

const metrics = (epoch: number, loss: number, val: number | null) => ({ epoch, loss, val_loss: val, seconds: 1, samples_per_second: 100 });

describe('loss series (the chart data)', () => {
  it('puts batch steps at fractional epochs and epoch points at their end', () => {
    const series = buildLossSeries(
      run({
        progress: { epoch: 2, epochs: 2, batch: 4, batches: 4, samplesPerSecond: 1, etaSeconds: 0, elapsedSeconds: 1 },
        batchSteps: [1, 2, 3, 4, 5, 6, 7, 8],
        batchLosses: [8, 7, 6, 5, 4, 3, 2, 1],
        epochs: [metrics(1, 5.5, 6), metrics(2, 1.5, null)],
      }),
    );
    assert.deepEqual(series.x, [0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2]);
    assert.deepEqual(series.batch, [8, 7, 6, 5, 4, 3, 2, 1]);
    assert.deepEqual(series.train, [null, null, null, 5.5, null, null, null, 1.5]);
    assert.deepEqual(series.val, [null, null, null, 6, null, null, null, null]);
    assert.deepEqual(series.counts, { batch: 8, train: 2, val: 1 });
  });

  it('skips values uPlot cannot draw (NaN, Infinity)', () => {
    const series = buildLossSeries(run({ batchSteps: [1, 2], batchLosses: [Number.NaN, 1], epochs: [metrics(1, Number.POSITIVE_INFINITY, 2)] }));
    assert.deepEqual(series.counts, { batch: 1, train: 0, val: 1 });
  });

  it('0-based epoch numbers still end the first epoch at x = 1', () => {
    const r = run({ epochs: [metrics(0, 1, 1), metrics(1, 0.5, 0.5)] });
    assert.equal(epochOffset(r), 1);
    assert.deepEqual(buildLossSeries(r).x, [1, 2]);
  });

  it('estimates batches per epoch for a finished run read from disk (no progress)', () => {
    assert.equal(batchesPerEpoch(run({ batchSteps: [10, 20, 30, 40], batchLosses: [1, 1, 1, 1], epochs: [metrics(1, 1, 1), metrics(2, 1, 1)] })), 20);
    assert.equal(batchesPerEpoch(run({})), 1);
  });

  it('no run: empty series', () => {
    assert.deepEqual(buildLossSeries(undefined).x, []);
  });
});

describe('model cell config fields', () => {
  it('shows only the hyperparameters that matter for the preset', () => {
    const keys = (preset: string) => fieldsForPreset(preset).map((f) => f.key);
    assert.ok(keys('denoising').includes('noise.kind') && keys('denoising').includes('noise.level'));
    assert.ok(!keys('dense').includes('noise.level'));
    assert.ok(keys('sparse').includes('sparsity') && !keys('vae').includes('sparsity'));
    assert.ok(keys('conv').includes('convFilters') && !keys('conv').includes('hiddenLayers'));
    assert.ok(keys('sequence').includes('rnnUnits') && !keys('sequence').includes('loss'));
    for (const common of ['codeSize', 'learningRate', 'epochs', 'batchSize', 'validationSplit', 'seed', 'optimizer', 'activation']) {
      for (const preset of ['dense', 'deep', 'conv', 'denoising', 'sparse', 'vae', 'sequence']) assert.ok(keys(preset).includes(common), `${common} for ${preset}`);
    }
  });

  it('parses field text: numbers, integer lists, enums; empty means the preset default', () => {
    const field = (key: string) => CONFIG_FIELDS.find((f) => f.key === key)!;
    assert.deepEqual(parseField(field('epochs'), ' 12 '), { ok: true, value: 12 });
    assert.deepEqual(parseField(field('epochs'), '1.5'), { ok: false });
    assert.deepEqual(parseField(field('learningRate'), '1e-3'), { ok: true, value: 0.001 });
    assert.deepEqual(parseField(field('hiddenLayers'), '256, 128 64'), { ok: true, value: [256, 128, 64] });
    assert.deepEqual(parseField(field('hiddenLayers'), '256, -1'), { ok: false });
    assert.deepEqual(parseField(field('optimizer'), 'sgd'), { ok: true, value: 'sgd' });
    assert.deepEqual(parseField(field('codeSize'), ''), { ok: true, value: undefined });
    assert.equal(fieldText(field('hiddenLayers'), [128, 64]), '128, 64');
  });

  it('writes nested noise settings and removes unset keys', () => {
    let config = writeField({ preset: 'denoising' }, 'noise.level', 0.5);
    config = writeField(config, 'noise.kind', 'masking');
    assert.deepEqual(config, { preset: 'denoising', noise: { level: 0.5, kind: 'masking' } });
    config = writeField(writeField(config, 'noise.level', undefined), 'noise.kind', undefined);
    assert.deepEqual(config, { preset: 'denoising' });
  });

  it('a new preset keeps the training settings and drops the old model shape', () => {
    const next = configForPreset({ preset: 'dense', epochs: 9, learningRate: 0.01, hiddenLayers: [64], codeSize: 8, loss: 'bce' }, 'conv');
    assert.deepEqual(next, { preset: 'conv', epochs: 9, learningRate: 0.01 });
  });

  it('tells configs apart by content, not key order or keys the preset ignores', () => {
    assert.equal(configKey({ preset: 'dense', epochs: 3, noise: { level: 0.1, kind: 'gaussian' } }), configKey({ epochs: 3, preset: 'dense' }));
    assert.equal(configKey({ preset: 'denoising', noise: { level: 0.1, kind: 'gaussian' } }), configKey({ noise: { kind: 'gaussian', level: 0.1 }, preset: 'denoising' }));
    assert.notEqual(configKey({ preset: 'dense', epochs: 3 }), configKey({ preset: 'dense', epochs: 4 }));
  });

  it('sends only what applies to the preset, passing unknown host keys through', () => {
    const sent = configToSend({ preset: 'dense', epochs: 3, sparsity: 0.1, rnnUnits: 64, outputActivation: 'sigmoid', hiddenLayers: [32] });
    assert.deepEqual(sent, { preset: 'dense', epochs: 3, outputActivation: 'sigmoid', hiddenLayers: [32] });
  });
});
