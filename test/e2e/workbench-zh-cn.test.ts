// End to end in Simplified Chinese: the packaged .vsix and a minimal zh-cn language pack installed in
// code-server, its display language set to zh-cn. The command palette lists the Chinese title of
// "Autoencoder: Train Autoencoder" (package.nls.zh-cn.json), running it by that title on the
// Fashion-MNIST sample opens the lab whose cells carry their Chinese titles (l10n/bundle.l10n.zh-cn.json
// through vscode.l10n), and the side bar shows the Chinese view names.
// The screenshot test-results/e2e-workbench-zh-cn.png is kept as an artifact.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { installExtension } from '../../scripts/code-server.mjs';
import { LAB_STRINGS } from '../../src/protocol/lab-strings';
import { installLanguagePack, packageLanguagePack, SIMPLIFIED_CHINESE } from './language-pack';
import { artifacts, ensurePackagedVsix, findFrame, findInCommandPalette, keepFailureArtifacts, pickQuickPickItem, vsix, waitForCompletedRun } from './workbench-helpers';
import { openWorkbench, repoRoot, type WorkbenchSession } from './workbench-session';

const EPOCHS = 2;
const LOCALE = SIMPLIFIED_CHINESE.languageId;

function readJson(file: string): Record<string, string> {
  return JSON.parse(readFileSync(join(repoRoot, file), 'utf8')) as Record<string, string>;
}

const english = readJson('package.nls.json');
const chinese = readJson('package.nls.zh-cn.json');
const labBundle = readJson(`l10n/bundle.l10n.${LOCALE}.json`);

/** The zh-cn text of a package.nls key, checked to be a translation (not the English text). */
function manifestText(key: string): string {
  const text = chinese[key];
  assert.ok(text && text !== english[key], `package.nls.${LOCALE}.json translates ${key}`);
  return text;
}

/** The zh-cn text of a webview string id, as vscode.l10n.t gives it from the l10n bundle. */
function labText(id: keyof typeof LAB_STRINGS): string {
  const text = labBundle[LAB_STRINGS[id]];
  assert.ok(text && text !== LAB_STRINGS[id], `l10n/bundle.l10n.${LOCALE}.json translates "${LAB_STRINGS[id]}" (${id})`);
  return text;
}

let session: WorkbenchSession | undefined;
let languagePackVsix = '';
let passed = false;

before(() => {
  // Chromium finds fonts through fontconfig: without a CJK one every Chinese glyph is drawn as a box.
  const fonts = spawnSync('fc-list', [':lang=zh', 'family'], { encoding: 'utf8' });
  assert.ok(fonts.status === 0 && fonts.stdout.trim() !== '', 'a font with Chinese glyphs is installed (apt-get install -y fonts-wqy-zenhei)');
  ensurePackagedVsix();
});

after(async () => {
  if (session && !passed) await keepFailureArtifacts(session, 'e2e-workbench-zh-cn');
  const orphans = (await session?.close()) ?? [];
  assert.deepEqual(orphans, [], 'no process started by code-server outlives it (extension host, trainer)');
});

test('in a zh-cn workbench the commands, views and lab cells show the Simplified Chinese strings', { timeout: 10 * 60_000 }, async (t) => {
  session = await openWorkbench({
    installExtensions: async (extensionsDir, userDataDir) => {
      languagePackVsix = packageLanguagePack(SIMPLIFIED_CHINESE, join(extensionsDir, '..'));
      await installLanguagePack(languagePackVsix, extensionsDir, userDataDir);
      await installExtension(vsix, extensionsDir, userDataDir);
    },
    settings: { 'autoencoderLab.epochs': EPOCHS },
  });
  const { page, workspace } = session;

  await t.test('the workbench runs in zh-cn', async () => {
    // nls.messages.js of the language pack sets the workbench's language (English without a pack).
    const language = await page.evaluate(() => (globalThis as { _VSCODE_NLS_LANGUAGE?: string })._VSCODE_NLS_LANGUAGE);
    assert.equal(language, LOCALE, `the workbench's display language (language pack ${languagePackVsix})`);
  });

  const trainTitle = `${manifestText('category')}: ${manifestText('command.train')}`;
  await t.test(`the command palette lists "${trainTitle}" and runs it on the Fashion-MNIST sample`, async () => {
    await page.locator('.monaco-workbench .part.editor').click();
    const row = await findInCommandPalette(page, manifestText('command.train'));
    const label = ((await row.textContent()) ?? '').replace(/\s+/g, ' ');
    assert.ok(label.includes(trainTitle), `the palette row "${label}" reads "${trainTitle}"`);
    await page.keyboard.press('Enter');
    await pickQuickPickItem(page, 'fashion-mnist/train-images');
  });

  const lab = await findFrame(page, '.ae-cell .ae-cell-header h2', 90_000);

  await t.test('the lab cells carry their Chinese titles', async () => {
    const expected = [labText('dataset.title'), labText('model.title'), labText('train.title'), labText('results.title')];
    const headings = lab.locator('.ae-cell .ae-cell-header h2');
    const deadline = Date.now() + 30_000;
    let titles: string[] = [];
    while (!expected.every((title) => titles.includes(title))) {
      assert.ok(Date.now() < deadline, `the lab's cell titles are ${JSON.stringify(titles)}, expected ${JSON.stringify(expected)}`);
      await page.waitForTimeout(250);
      titles = (await headings.allTextContents()).map((text) => text.trim());
    }
    assert.equal(await lab.locator('.ae-cell-header h2', { hasText: LAB_STRINGS['dataset.title'] }).count(), 0, 'no English cell title is left');
  });

  await t.test('the training run started from the Chinese title completes', async () => {
    const runDir = await waitForCompletedRun(workspace, 5 * 60_000);
    const epochs = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n');
    assert.equal(epochs.length, EPOCHS, 'metrics.jsonl has a line per epoch (autoencoderLab.epochs = 2)');
    const chart = lab.locator('.ae-cell .ae-chart:not(.ae-chart-compact)').first();
    await chart.evaluate((element) => element.scrollIntoView({ block: 'center' }));
    assert.equal((await lab.locator('.ae-chart-head h3').first().textContent())?.trim(), labText('chart.title'), 'the loss chart has its Chinese heading');
  });

  await t.test('the activity bar and the side bar show the Chinese view names', async () => {
    await page.locator(`.activitybar .action-item a[aria-label^="${manifestText('viewsContainer.autoencoderLab')}"]`).click();
    for (const view of ['view.datasets', 'view.runs', 'view.training']) {
      await page.locator('.pane-header', { hasText: manifestText(view) }).first().waitFor({ state: 'visible', timeout: 30_000 });
    }
    const datasets = page.locator('.pane', { has: page.locator('.pane-header', { hasText: manifestText('view.datasets') }) });
    await datasets.locator('.monaco-list-row', { hasText: 'fashion-mnist/train-images-idx3-ubyte.gz' }).first().waitFor({ state: 'visible' });
  });

  mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: join(artifacts, 'e2e-workbench-zh-cn.png') });
  passed = true;
});
