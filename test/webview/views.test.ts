import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunEvent } from '../../src/protocol/lab-protocol';
import type { InspectResult } from '../../src/protocol/trainer-protocol';
import { initialState, loadRunFixture, syntheticDataset } from './fixture';
import { launchWebviewBrowser, type WebviewBrowser, type WebviewPage } from './harness';

interface CanvasProbe {
  label: string | null;
  ink: number;
}

const fixture = loadRunFixture();

async function feed(view: WebviewPage, events: readonly RunEvent[]): Promise<void> {
  for (const event of events) await view.send({ type: 'run', event });
}

let browser: WebviewBrowser;
before(async () => {
  browser = await launchWebviewBrowser();
});
after(async () => {
  await browser?.close();
});

describe('Training view (side panel)', () => {
  let view: WebviewPage;
  before(async () => {
    view = await browser.open('training-view', { width: 320, height: 640 });
  });
  after(async () => view?.close());

  it('says that nothing trains before a run starts', async () => {
    await view.sendState(initialState(fixture));
    const text = await view.probe<string[]>('text', 'main > p');
    assert.match(text.join(' '), /No training is running/);
  });

  it('shows the sparkline, the latest reconstructions and progress of the run, and Stop posts stop', async () => {
    const started = fixture.events.findIndex((e) => e.type === 'started');
    const firstEpoch = fixture.events.findIndex((e) => e.type === 'reconstructions');
    await feed(view, fixture.events.slice(0, firstEpoch + 1));
    const chart = await view.probe<{ train: number; batch: number; canvasInk: number }>('chart', '.ae-chart');
    assert.equal(chart.train, 1);
    assert.ok(chart.batch > 0 && chart.canvasInk > 0, 'the sparkline is drawn');
    const pairs = await view.probe<CanvasProbe[]>('canvases', '.ae-view-pairs canvas');
    const recon = fixture.events[firstEpoch] as Extract<RunEvent, { type: 'reconstructions' }>;
    if (recon.data.inputs) {
      assert.equal(pairs.length, 2 * Math.min(4, recon.data.indices.length), 'at most four pairs, input and reconstruction each');
      assert.ok(pairs.every((c) => c.ink > 0));
    }
    const progress = await view.probe<string[]>('text', '.ae-progress-part');
    assert.ok(progress.some((p) => /^Epoch \d+ of \d+$/.test(p)), `progress: ${progress.join(' | ')}`);
    assert.ok(started >= 0);
    await view.page.getByRole('button', { name: 'Stop' }).click();
    await view.waitForPosted('stop');
    await feed(view, fixture.events.slice(firstEpoch + 1));
    const status = await view.probe<string[]>('text', '.ae-view-status');
    assert.match(status[0], /^Completed · /);
    assert.deepEqual(await view.violations(), []);
  });

  it('a run on wasm says so and offers the native backend; on tensorflow it names where tfjs-node came from', async () => {
    // The backend (and tfjs-node's folder) reach the views with the run's `started` event.
    const started = fixture.events.find((e) => e.type === 'started') as Extract<RunEvent, { type: 'started' }>;
    await feed(view, [{ ...started, backend: 'wasm', tfjsNode: undefined }]);
    const offer = await view.probe<string[]>('text', '.ae-native-offer:not([hidden])');
    assert.match(offer.join(' '), /Training on WebAssembly/);
    await view.page.getByRole('button', { name: 'Install native backend' }).click();
    await view.waitForPosted('installNativeBackend');
    assert.deepEqual(await view.violations(), []);
    await feed(view, [{ ...started, backend: 'tensorflow', tfjsNode: '/home/me/.vscode/globalStorage/native-backend/node_modules/@tensorflow/tfjs-node' }]);
    assert.deepEqual(await view.probe<string[]>('text', '.ae-native-offer:not([hidden])'), []);
    const progress = await view.probe<string[]>('text', '.ae-progress-part');
    assert.ok(progress.includes('Backend: tensorflow'), progress.join(' | '));
    assert.ok(progress.includes('tfjs-node from /home/me/.vscode/globalStorage/native-backend/node_modules/@tensorflow/tfjs-node'), progress.join(' | '));
    assert.deepEqual(view.errors, []);
    await view.screenshot('training-view.png');
  });
});

describe('dataset inspector', () => {
  let view: WebviewPage;
  before(async () => {
    view = await browser.open('inspector');
  });
  after(async () => view?.close());

  it('shows format, count, shape, dtype, statistics, class counts, samples and the histogram', async () => {
    await view.sendState(initialState(fixture, { dataset: syntheticDataset('train-images.idx3-ubyte.gz', 1000, 0) }));
    const terms = await view.probe<string[]>('text', '.ae-facts dt');
    for (const term of ['Format', 'Samples', 'Sample shape', 'Type', 'Min', 'Max', 'Mean', 'Std. deviation', 'Classes']) assert.ok(terms.includes(term), term);
    const counts = await view.probe<string[]>('text', '.ae-class-counts li');
    assert.equal(counts.length, 10);
    const histogram = await view.probe<string | null>('attribute', '.ae-histogram', 'aria-label');
    assert.match(histogram ?? '', /^Histogram of [\d,]+ values in 10 bins/);
    const samples = await view.probe<CanvasProbe[]>('canvases', '.ae-dataset-samples canvas');
    assert.equal(samples.length, 32);
    assert.ok(samples.every((c) => c.ink > 0 && /^Sample \d+: /.test(c.label ?? '')));
    await view.page.getByRole('button', { name: 'Train an autoencoder on this dataset' }).click();
    const train = await view.waitForPosted('train');
    assert.deepEqual(train.config, {});
  });

  it('pages through the samples with inspect requests', async () => {
    await view.page.getByRole('button', { name: 'Next page' }).click();
    const request = await view.waitForPosted('inspect');
    assert.equal(request.page, 1);
    await view.send({ type: 'reply', requestId: request.requestId as number, result: syntheticDataset('train-images.idx3-ubyte.gz', 1000, 1) });
    const label = await view.probe<string[]>('text', '.ae-page-label');
    assert.equal(label[0], 'Page 2 of 32');
    const first = await view.probe<CanvasProbe[]>('canvases', '.ae-dataset-samples canvas');
    assert.match(first[0].label ?? '', /^Sample 32:/);
    await view.screenshot('inspector.png');
    // A state message (the view shown again) with the same dataset keeps the page the user is on.
    await view.sendState(initialState(fixture, { dataset: syntheticDataset('train-images.idx3-ubyte.gz', 1000, 0) }));
    assert.equal((await view.probe<string[]>('text', '.ae-page-label'))[0], 'Page 2 of 32');
    await view.page.getByRole('button', { name: 'Previous page' }).click();
    const back = await view.waitForPosted('inspect', 2);
    assert.equal(back.page, 0);
    await view.send({ type: 'reply', requestId: back.requestId as number, result: syntheticDataset('train-images.idx3-ubyte.gz', 1000, 0) });
    assert.equal((await view.probe<string[]>('text', '.ae-page-label'))[0], 'Page 1 of 32');
  });

  it('CSV: statistics per column and rows as a table', async () => {
    const csv: InspectResult = {
      summary: { path: '/w/iris.csv', name: 'iris.csv', format: 'csv', kind: 'tabular', count: 150, sampleShape: [4], inputShape: [4], dtype: 'float32', columns: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'] },
      stats: {
        min: -1.9, max: 3.1, mean: 0, std: 1, histogram: [3, 8, 20, 40, 30, 20, 10, 5],
        columns: [
          { name: 'sepal_length', min: 4.3, max: 7.9, mean: 5.84, std: 0.83 },
          { name: 'sepal_width', min: 2, max: 4.4, mean: 3.05, std: 0.43 },
          { name: 'petal_length', min: 1, max: 6.9, mean: 3.76, std: 1.76 },
          { name: 'petal_width', min: 0.1, max: 2.5, mean: 1.2, std: 0.76 },
        ],
      },
      page: 0, pageSize: 3, rows: [[5.1, 3.5, 1.4, 0.2], [4.9, 3, 1.4, 0.2], [4.7, 3.2, 1.3, 0.2]],
    };
    await view.sendState(initialState(fixture, { dataset: csv }));
    const columnRows = await view.probe<string[]>('text', '.ae-panel-wide tbody tr');
    assert.equal(columnRows.length, 4);
    assert.match(columnRows[0], /sepal_length\s*4\.3\s*7\.9\s*5\.84\s*0\.83/);
    const rows = await view.probe<string[]>('text', '.ae-dataset-samples tbody tr');
    assert.equal(rows.length, 3);
  });

  it('text: samples as a list, statistics named as line lengths', async () => {
    const words: InspectResult = {
      summary: { path: '/w/words.txt', name: 'words.txt', format: 'text', kind: 'text', count: 2000, sampleShape: [12], inputShape: [12, 28], dtype: 'int32', vocabularySize: 28 },
      stats: { min: 2, max: 12, mean: 6.5, std: 2, histogram: [10, 5, 5, 5] },
      page: 0, pageSize: 4, texts: ['apple', 'banana', 'cherry', 'date'],
    };
    await view.sendState(initialState(fixture, { dataset: words }));
    assert.deepEqual(await view.probe<string[]>('text', '.ae-text-samples li'), ['apple', 'banana', 'cherry', 'date']);
    const terms = await view.probe<string[]>('text', '.ae-facts dt');
    for (const term of ['Shortest line', 'Longest line', 'Mean length']) assert.ok(terms.includes(term), term);
    assert.ok(!terms.includes('Min'), terms.join(' | '));
    assert.ok((await view.probe<string[]>('text', '.ae-panel h3')).includes('Line lengths (characters)'));
  });

  it('a broken file shows the engine\'s error, not a blank view', async () => {
    const message = 'broken.npy: header says 784 float32 values per row but the file ends after 1,000 bytes';
    await view.sendState(initialState(fixture, { dataset: undefined, datasetError: message }));
    const alert = await view.probe<string[]>('text', '[role=alert]');
    assert.deepEqual(alert, [message]);
    assert.deepEqual(await view.probe<string[]>('text', 'h1'), ['This dataset cannot be read']);
    assert.deepEqual(await view.violations(), []);
    assert.deepEqual(view.errors, []);
  });
});

describe('the content security policy check itself', () => {
  it('catches an inline style (the checks above are not vacuous)', async () => {
    const page = await browser.open('inspector');
    try {
      await page.page.evaluate("document.head.append(Object.assign(document.createElement('style'), { textContent: 'body { color: red }' }))");
      await page.probe('frames');
      const violations = await page.violations();
      // Once per policy: the header and the meta tag both refuse it.
      assert.ok(violations.length >= 1, 'the violation is reported');
      for (const violation of violations) assert.match(violation, /^style-src-elem inline/);
    } finally {
      await page.close();
    }
  });
});

describe('lab on a text dataset (sequence autoencoder)', () => {
  let lab: WebviewPage;
  before(async () => {
    lab = await browser.open('lab', { theme: 'light' });
  });
  after(async () => lab?.close());

  it('shows input and reconstructed strings side by side with their errors', async () => {
    const summary = { ...fixture.dataset.summary, kind: 'text' as const, format: 'text' as const, name: 'words.txt' };
    await lab.sendState(initialState(fixture, { config: { preset: 'sequence', epochs: 2 }, dataset: { ...fixture.dataset, summary } }));
    const presetFields = await lab.probe<string[]>('text', '.ae-cell:nth-of-type(2) .ae-field > label');
    assert.ok(presetFields.includes('Recurrent units') && !presetFields.includes('Hidden layers'), `fields: ${presetFields.join(', ')}`);
    const texts = [
      { input: 'apple', output: 'appl' },
      { input: 'banana', output: 'banana' },
    ];
    await feed(lab, [
      { type: 'started', runDir: '/w/runs/20260101-000000-words', graph: { preset: 'sequence', layers: [], totalParams: 0, codeShape: [null, 32] }, config: { preset: 'sequence', epochs: 2 } },
      { type: 'epochEnd', metrics: { epoch: 1, loss: 1.2, val_loss: 1.3, seconds: 1, samples_per_second: 900 } },
      { type: 'reconstructions', data: { epoch: 1, indices: [4, 9], texts, errors: [0.4, 0.01] } },
    ]);
    const rows = await lab.probe<string[]>('text', '.ae-pairs-host tbody tr');
    // The reconstruction's cell says how it differs (a missing last character here), for screen readers.
    assert.deepEqual(rows.map((r) => r.replace(/\s+/g, ' ')), ['appleappl… (one character differs)0.4', 'bananabanana (reconstructed exactly)0.01']);
    await lab.screenshot('lab-text-light.png');
  });
});

describe('lab on a table (CSV)', () => {
  let lab: WebviewPage;
  before(async () => {
    lab = await browser.open('lab');
  });
  after(async () => lab?.close());

  it('shows each row and its reconstruction as wide strips, one above the other', async () => {
    const summary = { ...fixture.dataset.summary, kind: 'tabular' as const, format: 'csv' as const, name: 'iris.csv', sampleShape: [4], inputShape: [4] };
    await lab.sendState(initialState(fixture, { config: { preset: 'dense', epochs: 1 }, dataset: { ...fixture.dataset, summary } }));
    const rows = (n: number) => ({ count: n, height: 1, width: 4, channels: 1 as const, pixels: Buffer.from(Array.from({ length: n * 4 }, (_, i) => (i * 37) % 256)).toString('base64') });
    await feed(lab, [
      { type: 'started', runDir: '/w/runs/20260101-000000-iris', graph: { preset: 'dense', layers: [], totalParams: 0, codeShape: [null, 2] }, config: { preset: 'dense', epochs: 1 } },
      { type: 'epochEnd', metrics: { epoch: 1, loss: 0.4, val_loss: 0.5, seconds: 1, samples_per_second: 900 } },
      { type: 'reconstructions', data: { epoch: 1, indices: [0, 1, 2], inputs: rows(3), outputs: rows(3), errors: [0.1, 0.2, 0.3] } },
    ]);
    const boxes = await lab.probe<Array<{ w: number; h: number; y: number }>>('boxes', '.ae-pairs-host canvas.ae-image-strip');
    assert.equal(boxes.length, 6, 'an input and a reconstruction strip per row');
    assert.ok(boxes.every((b) => b.w > 3 * b.h), 'strips are wide and low');
    assert.ok(boxes[1].y > boxes[0].y, 'the reconstruction is under its input');
  });
});

describe('lab model cell', () => {
  let lab: WebviewPage;
  before(async () => {
    lab = await browser.open('lab');
    await lab.sendState(initialState(fixture));
  });
  after(async () => lab?.close());

  it('another preset shows its own hyperparameters and runs with them; a build error is shown in the cell', async () => {
    const model = lab.page.getByRole('region', { name: 'Model', exact: true });
    await model.getByRole('combobox', { name: 'Preset' }).click();
    await model.getByRole('option', { name: 'Denoising' }).click();
    const labels = await lab.probe<string[]>('text', '.ae-cell:nth-of-type(2) .ae-field > label');
    assert.ok(labels.includes('Noise') && labels.includes('Noise level'), `fields: ${labels.join(', ')}`);
    assert.equal(await lab.probe('attribute', '.ae-cell:nth-of-type(2)', 'data-status'), 'stale', 'an edit makes the cell out of date');
    await model.locator('.ae-field', { has: lab.page.locator('label', { hasText: /^Noise level$/ }) }).locator('input').fill('0.5');
    await model.locator('.ae-field', { has: lab.page.locator('label', { hasText: /^Code size$/ }) }).locator('input').fill('abc');
    await model.getByRole('button', { name: 'Run', exact: true }).click();
    assert.match((await lab.probe<string[]>('text', '.ae-cell:nth-of-type(2) > .ae-error'))[0], /Code size: "abc" is not a valid number/);
    assert.equal((await lab.posted()).filter((m) => m.type === 'describe').length, 0, 'an invalid field sends nothing');

    const codeSize = model.locator('.ae-field', { has: lab.page.locator('label', { hasText: /^Code size$/ }) }).locator('input');
    await codeSize.fill('16');
    await codeSize.press('Shift+Enter'); // runs the cell, as in notebooks
    const describe = await lab.waitForPosted('describe');
    const config = describe.config as Record<string, unknown>;
    assert.equal(config.preset, 'denoising');
    assert.equal(config.codeSize, 16);
    assert.deepEqual(config.noise, { level: 0.5 });
    assert.equal(config.hiddenLayers, undefined, 'the old preset shape is not carried over');
    await lab.send({ type: 'reply', requestId: describe.requestId as number, error: 'config: codeSize 16 is larger than the last hidden layer (8)' });
    assert.deepEqual(await lab.probe<string[]>('text', '.ae-cell:nth-of-type(2) > .ae-error'), ['config: codeSize 16 is larger than the last hidden layer (8)']);
    assert.equal(await lab.probe('attribute', '.ae-cell:nth-of-type(2)', 'data-status'), 'failed');
  });
});
