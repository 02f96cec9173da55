import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PNG } from 'pngjs';
import { ProgressPrinter } from '../../../src/cli/progress-printer';
import { codesScatter, escapeHtml, lossChart, pngDataUri, renderReport } from '../../../src/cli/report';
import type { RunRecord } from '../../../src/trainer/runs';

function stream(isTTY: boolean): NodeJS.WriteStream & { text: string } {
  const fake = { isTTY, text: '', write(chunk: string) { fake.text += chunk; return true; } };
  return fake as unknown as NodeJS.WriteStream & { text: string };
}

const progress = (batch: number) => ({ type: 'progress' as const, epoch: 1, epochs: 2, batch, batches: 10, samplesPerSecond: 4321.4, etaSeconds: 75, elapsedSeconds: 3 });
const metrics = { epoch: 1, loss: 0.0312345, val_loss: 0.0298765, seconds: 2.54, samples_per_second: 4321.4 };

describe('CLI output', () => {
  test('on a terminal the progress bar is redrawn in place and cleared before each epoch line', () => {
    const out = stream(true);
    const printer = new ProgressPrinter(out);
    printer.progress(progress(5));
    printer.batchLoss([0.5, 0.04567891]);
    printer.progress(progress(10));
    printer.epochEnd(metrics);
    printer.finish();
    assert.equal(out.text.split('\r\u001b[2K').length - 1, 3, 'two redraws and one clear');
    assert.match(out.text, /epoch 1\/2 █{12}░{12} {2}50% 4321 samples\/s, ETA 1m15s/);
    assert.match(out.text, /100% loss 0\.04568, 4321 samples\/s/);
    assert.ok(out.text.endsWith('epoch 1: loss 0.03123, val_loss 0.02988, 2.5 s, 4321 samples/s\n'));
  });

  test('in a pipe only plain lines are written', () => {
    const out = stream(false);
    const printer = new ProgressPrinter(out);
    printer.progress(progress(5));
    printer.epochEnd(metrics);
    printer.finish();
    assert.equal(out.text, 'epoch 1: loss 0.03123, val_loss 0.02988, 2.5 s, 4321 samples/s\n');
  });

  test('the epoch line of a text run says how much of the held-out text comes back, and which epoch is kept', () => {
    const out = stream(false);
    const printer = new ProgressPrinter(out);
    printer.epochEnd({ ...metrics, epoch: 3, val_char_accuracy: 0.7512, val_exact_match: 0.4, best_epoch: 2 });
    assert.equal(out.text, 'epoch 3: loss 0.03123, val_loss 0.02988, characters right 75.1%, exact 40.0% (best: epoch 2), 2.5 s, 4321 samples/s\n');
  });

  test('a scheduled learning rate ends the epoch line', () => {
    const out = stream(false);
    new ProgressPrinter(out).epochEnd({ ...metrics, learning_rate: 0.00123456 });
    assert.match(out.text, /4321 samples\/s, learning rate 0\.0012\n$/);
  });
});

describe('report.html', () => {
  test('the loss chart draws both curves, and a single epoch as points', () => {
    const two = lossChart([metrics, { ...metrics, epoch: 2, loss: 0.02, val_loss: 0.021 }]);
    assert.equal((two.match(/<path d="M/g) ?? []).length, 2);
    assert.equal((two.match(/<circle /g) ?? []).length, 4);
    const one = lossChart([{ ...metrics, val_loss: null }]);
    assert.equal((one.match(/<circle /g) ?? []).length, 1);
    assert.doesNotMatch(one, /NaN|Infinity/);
    assert.equal(lossChart([]), '');
  });

  test('the codes scatter plot has a dot per sample, coloured by class, with a legend of the classes present', () => {
    const svg = codesScatter({ epoch: 2, points: [0, 0, 1, 1, 2, 0.5, 3, 3], labels: [0, 1, 1, 3], classNames: ['a', 'b', 'c', 'd'] });
    assert.equal((svg.match(/<circle /g) ?? []).length, 4);
    assert.match(svg, /<li><span style="background:#4e79a7"><\/span>a<\/li><li><span style="background:#f28e2b"><\/span>b<\/li><li><span style="background:#76b7b2"><\/span>d<\/li>/);
    assert.match(svg, /cx="12\.0" cy="408\.0"/, 'the smallest x and y at the bottom left');
    assert.doesNotMatch(codesScatter({ epoch: 1, points: [1, 1, 1, 1] }), /NaN|<ul/);
  });

  test('images become PNG data URIs with their pixels', () => {
    const pixels = Buffer.from([0, 255, 128, 64, 10, 20, 30, 40]);
    const uri = pngDataUri({ count: 2, height: 2, width: 2, channels: 1, pixels: pixels.toString('base64') }, 1);
    const png = PNG.sync.read(Buffer.from(uri.replace('data:image/png;base64,', ''), 'base64'));
    assert.deepEqual([png.width, png.height], [2, 2]);
    assert.deepEqual([...png.data.subarray(0, 4)], [10, 10, 10, 255]);
    assert.deepEqual([png.data[12], png.data[13], png.data[14]], [40, 40, 40]);
  });

  test('run data is escaped, text runs show their strings', () => {
    assert.equal(escapeHtml(`<b a="x">&'`), '&lt;b a=&quot;x&quot;&gt;&amp;&#39;');
    const run: RunRecord = {
      info: { runDir: '/r', name: '<run>', status: 'completed', epochsCompleted: 1, epochs: 1, finalLoss: 0.5, dataset: '/d/words.txt', preset: 'sequence' },
      runDir: '/r',
      name: '<run>',
      status: 'completed',
      paused: false,
      backend: 'wasm',
      config: { preset: 'sequence', note: '</pre><script>alert(1)</script>' },
      epochs: [metrics],
      batchSteps: [],
      batchLosses: [],
      reconstructions: [{ epoch: 1, indices: [4], errors: [0.25], texts: [{ input: 'cat', output: 'c<t' }] }],
    };
    const html = renderReport({ run, totalSeconds: 3.2 });
    assert.doesNotMatch(html, /<script|<run>/);
    // The differing character is marked; the angle bracket stays escaped.
    assert.match(html, /<code>cat<\/code><\/td><td><code>c<mark>&lt;<\/mark>t<\/code>/);
    assert.match(html, /Wall time \(CLI\)<\/th><td>3\.2 s/);
  });
});
