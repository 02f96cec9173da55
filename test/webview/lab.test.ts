import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunEvent } from '../../src/protocol/lab-protocol';
import { initialState, loadRunFixture, type RunFixture } from './fixture';
import { launchWebviewBrowser, type WebviewBrowser, type WebviewPage } from './harness';

interface ChartProbe {
  train: number;
  val: number;
  batch: number;
  canvasInk: number;
  legend: string[];
}

interface CanvasProbe {
  label: string | null;
  role: string | null;
  width: number;
  height: number;
  ink: number;
}

const fixture: RunFixture = loadRunFixture();
const epochEnds = fixture.events.filter((e): e is Extract<RunEvent, { type: 'epochEnd' }> => e.type === 'epochEnd');
const reconstructionEvents = fixture.events.filter((e): e is Extract<RunEvent, { type: 'reconstructions' }> => e.type === 'reconstructions');

/** A notebook cell: a region named by its heading. */
function cell(lab: WebviewPage, title: string) {
  return lab.page.getByRole('region', { name: title, exact: true });
}

async function feed(lab: WebviewPage, events: readonly RunEvent[]): Promise<void> {
  for (const event of events) await lab.send({ type: 'run', event });
}

describe(`lab webview fed a ${fixture.source} run (${fixture.events.length} run messages)`, () => {
  let browser: WebviewBrowser;
  let lab: WebviewPage;

  before(async () => {
    browser = await launchWebviewBrowser();
    lab = await browser.open('lab');
    await lab.sendState(initialState(fixture));
  });

  after(async () => {
    await lab?.close();
    await browser?.close();
  });

  it('renders the four cells after the ready/state handshake', async () => {
    const posted = await lab.posted();
    assert.equal(posted[0].type, 'ready', 'the first message is ready');
    const titles = await lab.probe<string[]>('text', '.ae-cell-header h2');
    assert.deepEqual(titles, ['Dataset', 'Model', 'Train', 'Results']);
    const samples = await lab.probe<CanvasProbe[]>('canvases', '.ae-dataset-samples canvas');
    assert.ok(samples.length > 0, 'the dataset cell shows samples');
    assert.ok(samples.every((c) => c.role === 'img' && (c.label ?? '').length > 0), 'every sample image has a text label');
    assert.ok(samples.some((c) => c.ink > 0), 'sample images are not blank');
    const layers = await lab.probe<string[]>('text', '.ae-graph-layer-class');
    assert.ok(layers.length >= 3, 'the model graph lists the layers');
    const groups = await lab.probe<string[]>('text', '.ae-graph-group-title > span:first-child');
    assert.ok(groups.includes('Encoder') && groups.includes('Decoder'), `graph groups: ${groups.join(', ')}`);
  });

  it('Tab reaches the Run buttons', async () => {
    await lab.page.mouse.click(5, 5);
    const reached: string[] = [];
    for (let i = 0; i < 40; i++) {
      await lab.page.keyboard.press('Tab');
      const focused = await lab.probe<{ tag: string; text: string } | null>('focused');
      if (focused) reached.push(`${focused.tag}:${focused.text}`);
      if (focused?.tag === 'vscode-button' && focused.text === 'Run') break;
    }
    assert.ok(reached.includes('vscode-button:Run'), `focus went through: ${reached.join(' | ')}`);
  });

  it('Run on the model cell posts describe with the config and draws the returned graph', async () => {
    await cell(lab, 'Model').getByRole('button', { name: 'Run', exact: true }).click();
    const describe = await lab.waitForPosted('describe');
    assert.equal(typeof describe.requestId, 'number');
    assert.equal((describe.config as Record<string, unknown>).preset, 'dense');
    const graph = initialState(fixture).graph!;
    const bigger = { ...graph, totalParams: 123_456 };
    await lab.send({ type: 'reply', requestId: describe.requestId as number, result: bigger });
    const total = await lab.probe<string[]>('text', '.ae-graph-total');
    assert.match(total[0], /123,456/);
    const status = await lab.probe<string | null>('attribute', '.ae-cell:nth-of-type(2)', 'data-status');
    assert.equal(status, 'done');
  });

  it('Train posts train with the config chosen in the model cell', async () => {
    const epochsField = lab.page.locator('.ae-field', { has: lab.page.locator('label', { hasText: /^Epochs$/ }) }).locator('input');
    await epochsField.fill('2');
    const rate = lab.page.locator('.ae-field', { has: lab.page.locator('label', { hasText: /^Learning rate$/ }) }).locator('input');
    await rate.fill('0.005');
    await cell(lab, 'Train').getByRole('button', { name: 'Train', exact: true }).click();
    const train = await lab.waitForPosted('train');
    const config = train.config as Record<string, unknown>;
    assert.equal(config.preset, 'dense');
    assert.equal(config.epochs, 2);
    assert.equal(config.learningRate, 0.005);
  });

  it('announces each finished epoch in an aria-live region', async () => {
    const firstEpochEnd = fixture.events.findIndex((e) => e.type === 'epochEnd');
    await feed(lab, fixture.events.slice(0, firstEpochEnd + 1));
    const announced = await lab.probe<string[]>('text', '[role=status][aria-live=polite]');
    assert.ok(announced.some((s) => /^Epoch 1: loss [\d.e-]+/.test(s)), `announced: ${announced.join(' | ')}`);
  });

  it('draws the loss points and the input/reconstruction pairs of the run', async () => {
    const firstEpochEnd = fixture.events.findIndex((e) => e.type === 'epochEnd');
    await feed(lab, fixture.events.slice(firstEpochEnd + 1));
    const chart = await lab.probe<ChartProbe>('chart', '.ae-cell .ae-chart');
    assert.equal(chart.train, epochEnds.length, 'one training-loss point per epoch');
    assert.equal(chart.val, epochEnds.filter((e) => e.metrics.val_loss !== null).length, 'one validation point per epoch');
    assert.ok(chart.batch > 0, 'the per-batch line has points');
    assert.ok(chart.canvasInk > 500, `the chart canvas has ink (${chart.canvasInk} pixels)`);
    assert.ok(chart.legend.includes('Training loss') && chart.legend.includes('Validation loss'));
    const caption = await lab.probe<string[]>('text', '.ae-cell .ae-chart figcaption');
    assert.match(caption[0], new RegExp(`^Loss chart: ${epochEnds.length} epochs; last training loss [\\d.]+, last validation loss [\\d.]+\\.$`));

    const last = reconstructionEvents[reconstructionEvents.length - 1].data;
    const pairs = await lab.probe<CanvasProbe[]>('canvases', '.ae-pairs-host canvas');
    if (last.inputs) {
      assert.equal(pairs.length, 2 * last.indices.length, 'an input and a reconstruction per fixed sample');
      assert.ok(pairs.every((c) => c.ink > 0), 'no blank image');
      assert.ok(pairs.every((c) => /sample/i.test(c.label ?? '')), 'each image is labelled');
    } else {
      const rows = await lab.probe<string[]>('text', '.ae-pairs-host tbody tr');
      assert.equal(rows.length, last.indices.length);
    }
    const captions = await lab.probe<string[]>('text', '.ae-pairs-host .ae-pair-caption');
    assert.ok(captions.every((c) => /error/.test(c)), 'each pair shows its error');
    const summary = await lab.probe<string[]>('text', '.ae-scatter figcaption');
    assert.ok(summary.length === 1 && /codes/.test(summary[0]), 'the code scatter has a text summary');
    const announced = await lab.probe<string[]>('text', '[role=status][aria-live=polite]');
    assert.ok(announced.some((s) => /^Training ended \(Completed\)/.test(s)), `announced: ${announced.join(' | ')}`);
  });

  it('the epoch slider looks back at earlier epochs', async () => {
    assert.ok(reconstructionEvents.length >= 2, 'the run has reconstructions of several epochs');
    const firstEpoch = String(reconstructionEvents[0].data.epoch);
    const lastEpoch = String(reconstructionEvents[reconstructionEvents.length - 1].data.epoch);
    assert.equal(await lab.probe('attribute', '.ae-pairs-host', 'data-epoch'), lastEpoch);
    const latestPixels = await lab.probe<number[]>('pixels', '.ae-pairs-host canvas', 1);
    await lab.page.locator('.ae-slider').focus();
    await lab.page.keyboard.press('Home');
    await lab.probe('frames');
    assert.equal(await lab.probe('attribute', '.ae-pairs-host', 'data-epoch'), firstEpoch);
    const valueText = await lab.probe<string | null>('attribute', '.ae-slider', 'aria-valuetext');
    assert.match(valueText ?? '', new RegExp(`^Epoch ${firstEpoch} of`));
    const firstPixels = await lab.probe<number[]>('pixels', '.ae-pairs-host canvas', 1);
    assert.notDeepEqual(firstPixels, latestPixels, 'the first epoch shows other reconstructions');
    const saved = await lab.probe<{ epochIndex?: number }>('savedState');
    assert.equal(saved.epochIndex, 0, 'the slider position is kept in the webview state');
    await lab.page.keyboard.press('End');
    await lab.probe('frames');
    assert.equal(await lab.probe('attribute', '.ae-pairs-host', 'data-epoch'), lastEpoch);
  });

  it('shows the values under the cursor and switches to a log scale', async () => {
    const legend = () => lab.probe<string[]>('text', '.ae-cell .ae-chart .u-legend .u-value');
    const last = epochEnds[epochEnds.length - 1].metrics;
    const atRest = await legend();
    assert.equal(atRest[0], String(last.epoch), `at rest the legend shows the latest values: ${atRest.join(' | ')}`);
    assert.ok(atRest.filter((v) => /^\d/.test(v)).length >= 3);
    // Hover over the end of the first epoch: its values appear.
    const plot = lab.page.locator('.ae-cell .ae-chart .u-over');
    const box = await plot.boundingBox();
    assert.ok(box, 'the chart has a plotting area');
    // The x axis runs from the first batch (near 0) to the last epoch; the cursor snaps to the nearest point.
    const first = epochEnds[0].metrics.epoch;
    await lab.page.mouse.move(box.x + (box.width * first) / last.epoch, box.y + box.height / 2);
    await lab.probe('frames');
    const hovered = await legend();
    assert.equal(hovered[0], String(first), `hovered legend: ${hovered.join(' | ')}`);
    assert.ok(hovered.filter((v) => /^\d/.test(v)).length >= 3, 'training and validation loss of that epoch');
    await lab.page.mouse.move(0, 0);

    assert.equal(await lab.probe('attribute', '.ae-cell .ae-chart', 'data-scale'), 'linear');
    await cell(lab, 'Train').getByRole('checkbox', { name: 'Log scale' }).click();
    await lab.probe('frames');
    assert.equal(await lab.probe('attribute', '.ae-cell .ae-chart', 'data-scale'), 'log');
    const chart = await lab.probe<ChartProbe>('chart', '.ae-cell .ae-chart');
    assert.equal(chart.train, epochEnds.length, 'the log chart has the same points');
    assert.ok(chart.canvasInk > 500);
    const saved = await lab.probe<{ logScale?: boolean }>('savedState');
    assert.equal(saved.logScale, true, 'the choice is kept in the webview state');
  });

  it('a reloaded lab (hidden, then shown again) gets the state anew and keeps slider and log scale', async () => {
    await lab.page.locator('.ae-slider').focus();
    await lab.page.keyboard.press('Home');
    await lab.reload();
    await lab.sendState(initialState(fixture));
    await feed(lab, fixture.events);
    assert.equal(await lab.probe('attribute', '.ae-pairs-host', 'data-epoch'), String(reconstructionEvents[0].data.epoch));
    assert.equal(await lab.probe('attribute', '.ae-cell .ae-chart', 'data-scale'), 'log');
    await lab.page.locator('.ae-slider').focus();
    await lab.page.keyboard.press('End');
    await cell(lab, 'Train').getByRole('checkbox', { name: 'Log scale' }).click();
  });

  it('Pause, Resume and Stop post their messages while a run trains', async () => {
    const started = fixture.events.find((e) => e.type === 'started')!;
    await feed(lab, [started, fixture.events.find((e) => e.type === 'progress')!]);
    const trainCell = cell(lab, 'Train');
    await trainCell.getByRole('button', { name: 'Pause' }).click();
    await lab.waitForPosted('pause');
    await feed(lab, [{ type: 'paused' }]);
    assert.ok(await lab.probe('visible', '.ae-cell-toolbar vscode-button:nth-of-type(3)'), 'Resume is shown when paused');
    await trainCell.getByRole('button', { name: 'Resume' }).click();
    await lab.waitForPosted('resume');
    await feed(lab, [{ type: 'resumed' }]);
    await trainCell.getByRole('button', { name: 'Stop' }).click();
    await lab.waitForPosted('stop');
    const status = await lab.probe<string[]>('text', '.ae-cell[data-status] .ae-cell-status');
    assert.ok(status.includes('Training'), `train cell status: ${status.join(' | ')}`);
  });

  it('generation: interpolate between two chosen samples, a grid over the code and samples of the prior, via generate requests', async () => {
    await feed(lab, fixture.events);
    const results = cell(lab, 'Results');
    const last = reconstructionEvents[reconstructionEvents.length - 1].data;
    await results.getByRole('combobox', { name: 'To sample' }).click();
    await results.getByRole('option', { name: `Sample ${last.indices[2]}`, exact: true }).click();
    await results.getByRole('button', { name: 'Interpolate' }).click();
    const interpolate = await lab.waitForPosted('generate');
    assert.deepEqual(
      { mode: interpolate.mode, a: interpolate.a, b: interpolate.b, steps: interpolate.steps },
      { mode: 'interpolate', a: last.indices[0], b: last.indices[2], steps: 8 },
    );
    const images = last.inputs ?? { count: 0, height: 1, width: 1, channels: 1 as const, pixels: '' };
    await lab.send({ type: 'reply', requestId: interpolate.requestId as number, result: { images } });
    const generated = await lab.probe<CanvasProbe[]>('canvases', '.ae-generated canvas');
    assert.equal(generated.length, images.count);
    assert.ok(generated.every((c) => c.ink > 0 && /^Generated image \d+$/.test(c.label ?? '')));

    await results.getByRole('button', { name: 'Grid over the code' }).click();
    const grid = await lab.waitForPosted('generate', 2);
    assert.equal(grid.mode, 'grid');
    const failure = '/workspace/.autoencoder-lab/runs/x: not a run folder (no config.json)';
    await lab.send({ type: 'reply', requestId: grid.requestId as number, error: failure });
    const alert = await lab.probe<string[]>('text', '.ae-cell:nth-of-type(4) > .ae-error');
    assert.deepEqual(alert, [failure], 'the error is shown in the cell');

    await results.getByRole('button', { name: 'Sample the prior' }).click();
    const prior = await lab.waitForPosted('generate', 3);
    assert.equal(prior.mode, 'prior');
    assert.equal(await lab.probe('attribute', '.ae-generate-form ~ .ae-button-row vscode-button:nth-of-type(2)', 'title'), "Not a VAE: codes are drawn from a normal distribution fitted to the data's codes.");
    await lab.send({ type: 'reply', requestId: prior.requestId as number, result: { images } });
    assert.equal(await lab.probe<string[]>('text', '.ae-cell:nth-of-type(4) > .ae-error').then((e) => e.join('')), '', 'a success clears the error');
  });

  it('re-running the dataset cell re-runs the model cell that depends on it', async () => {
    const before = (await lab.posted()).filter((m) => m.type === 'describe').length;
    await cell(lab, 'Dataset').getByRole('button', { name: 'Run', exact: true }).click();
    const inspect = await lab.waitForPosted('inspect');
    assert.equal(inspect.page, 0);
    await lab.send({ type: 'reply', requestId: inspect.requestId as number, result: fixture.dataset });
    const describe = await lab.waitForPosted('describe', before + 1);
    assert.ok(describe.config, 'the model cell ran with its config');
    await lab.send({ type: 'reply', requestId: describe.requestId as number, result: initialState(fixture).graph });
    assert.equal(await lab.probe('attribute', '.ae-cell:nth-of-type(2)', 'data-status'), 'done');
  });

  it('keeps within the content security policy and logs no errors', async () => {
    assert.deepEqual(await lab.violations(), []);
    assert.deepEqual(lab.errors, []);
  });

  it('screenshot of the finished run (test-results/lab.png)', async () => {
    await feed(lab, fixture.events);
    await lab.page.evaluate('window.scrollTo(0, 0)');
    const path = await lab.screenshot('lab.png');
    assert.ok(path.endsWith('lab.png'));
  });
});
