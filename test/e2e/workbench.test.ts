// End to end, as a new user would: the packaged .vsix installed in code-server (the real VS Code 1.100
// workbench) with a fresh profile — the "Get Started" walkthrough open, never clicked away — the sample
// workspace open, "Autoencoder: Train Autoencoder" run from the command palette with the default
// settings (automatic epochs), the Fashion-MNIST sample picked; then inside the lab webview the live
// loss points and the input/reconstruction pairs appear, the run ends by itself with a model that
// reconstructs well, and the run folder on disk is complete.
// The screenshot test-results/e2e-workbench.png is kept as an artifact.
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import { installExtension } from '../../scripts/code-server.mjs';
import {
  artifacts,
  ensurePackagedVsix,
  findFrame,
  keepFailureArtifacts,
  pickQuickPickItem,
  runFromCommandPalette,
  vsix,
  waitForCompletedRun,
} from './workbench-helpers';
import { openWorkbench, type WorkbenchSession } from './workbench-session';

/** A model worth keeping on the sample: the bench's target is 0.015; any recognizable reconstruction is well under this. */
const RECOGNIZABLE_VAL_MSE = 0.025;
/** What a fresh profile shows: the Welcome page with the Get Started walkthrough. */
const FRESH_PROFILE = { 'workbench.startupEditor': 'welcomePage', 'workbench.welcomePage.walkthroughs.openOnInstall': true };
let session: WorkbenchSession | undefined;
let passed = false;

before(() => ensurePackagedVsix());

after(async () => {
  if (session && !passed) await keepFailureArtifacts(session, 'e2e-workbench');
  const orphans = (await session?.close()) ?? [];
  assert.deepEqual(orphans, [], 'no process started by code-server outlives it (extension host, trainer)');
});

test('Train Autoencoder from the command palette draws the loss and the image pairs in a real workbench', { timeout: 12 * 60_000 }, async (t) => {
  session = await openWorkbench({
    installExtensions: (extensionsDir, userDataDir) => installExtension(vsix, extensionsDir, userDataDir),
    settings: FRESH_PROFILE,
  });
  const { page, workspace } = session;

  await t.test('with the Welcome page open, the command palette runs "Autoencoder: Train Autoencoder" on the Fashion-MNIST sample', async () => {
    await page.locator('.tabs-container .tab', { hasText: /Welcome|Walkthrough/ }).first().waitFor({ state: 'visible', timeout: 60_000 });
    await runFromCommandPalette(page, 'Autoencoder: Train Autoencoder');
    await pickQuickPickItem(page, 'fashion-mnist/train-images');
  });

  // The lab panel: the webview with notebook cells and a full-size loss chart.
  const lab = await findFrame(page, '.ae-cell .ae-chart:not(.ae-chart-compact)', 90_000);

  await t.test('the live loss chart gets epoch points', async () => {
    const chart = lab.locator('.ae-cell .ae-chart:not(.ae-chart-compact)').first();
    const deadline = Date.now() + 3 * 60_000;
    let points = 0;
    while ((points = Number(await chart.getAttribute('data-train-points'))) < 3) {
      assert.ok(Date.now() < deadline, `the chart shows ${points} epoch points after 3 minutes`);
      await page.waitForTimeout(500);
    }
    assert.ok(Number(await chart.getAttribute('data-batch-points')) > 0, 'the per-batch loss line has points');
    assert.ok(await lab.locator('.ae-cell .ae-chart canvas').count() > 0, 'uPlot drew on a canvas');
  });

  await t.test('input and reconstruction image pairs appear', async () => {
    const pairs = lab.locator('.ae-pairs .ae-pair');
    await pairs.first().waitFor({ state: 'visible', timeout: 60_000 });
    const images = pairs.first().locator('canvas.ae-image');
    assert.equal(await images.count(), 2, 'each pair shows the input and its reconstruction');
    const label = await images.nth(1).getAttribute('aria-label');
    assert.ok(label && label.length > 0, 'the reconstruction has text for screen readers');
    // Frame the screenshot on the loss chart with the pairs below it.
    await lab.locator('.ae-cell .ae-chart:not(.ae-chart-compact)').first().evaluate((chart) => chart.scrollIntoView({ block: 'start' }));
  });

  let runDir = '';
  await t.test('the run stops by itself with a model worth keeping, and says why', async () => {
    runDir = await waitForCompletedRun(workspace, 8 * 60_000);
    const status = JSON.parse(readFileSync(join(runDir, 'status.json'), 'utf8')) as { stopReason: string; bestEpoch: number; bestValMse: number };
    assert.ok(['patience', 'time'].includes(status.stopReason), `stopped by ${status.stopReason}`);
    assert.ok(status.bestValMse <= RECOGNIZABLE_VAL_MSE, `validation MSE ${status.bestValMse} of the kept model (epoch ${status.bestEpoch})`);
    const outcome = lab.locator('.ae-outcome');
    await outcome.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match((await outcome.textContent()) ?? '', new RegExp(`epoch ${status.bestEpoch}`), 'the train cell names the epoch it kept');
  });

  await t.test('the run folder on disk is complete', async () => {
    const modelFiles = ['autoencoder', 'encoder', 'decoder'].flatMap((part) => [`model/${part}/model.json`, `model/${part}/weights.bin`]);
    for (const file of ['config.json', 'metrics.jsonl', 'reconstructions.json', 'status.json', ...modelFiles]) {
      assert.ok(existsSync(join(runDir, file)), `${file} in ${runDir}`);
    }
    const epochs = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n');
    const status = JSON.parse(readFileSync(join(runDir, 'status.json'), 'utf8')) as { epochsCompleted: number };
    assert.equal(epochs.length, status.epochsCompleted, 'metrics.jsonl has a line per finished epoch');
  });

  await t.test('the side panel lists the dataset and the finished run', async () => {
    await page.locator('.activitybar .action-item a[aria-label^="Autoencoder Lab"]').click();
    const pane = (title: string) => page.locator('.pane', { has: page.locator('.pane-header', { hasText: title }) });
    await pane('Datasets').locator('.monaco-list-row', { hasText: 'fashion-mnist/train-images-idx3-ubyte.gz' }).first().waitFor({ state: 'visible' });
    const runName = basename(runDir).replace(/^\d{8}-\d{6}-/, '');
    const run = pane('Runs').locator('.monaco-list-row', { hasText: runName }).first();
    await run.waitFor({ state: 'visible' });
    assert.match((await run.textContent()) ?? '', /wasm|cpu|tensorflow/, 'the run shows its backend');
    const trainingView = await findFrame(page, '.ae-view-body', 30_000);
    assert.ok(await trainingView.locator('.ae-view-status').count() > 0, 'the Training view (webview view) renders its status');
  });

  mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: join(artifacts, 'e2e-workbench.png') });
  passed = true;
});
