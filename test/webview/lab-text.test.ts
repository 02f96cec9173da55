import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunEvent } from '../../src/protocol/lab-protocol';
import { initialState, loadTextRunFixture } from './fixture';
import { launchWebviewBrowser, type WebviewBrowser, type WebviewPage } from './harness';

// The lab's text results in Chromium, fed the messages of a real sequence-model run on the Tang
// couplets (test/fixtures/recorded-text-run.json, scripts/record-run.mjs text).

const fixture = loadTextRunFixture();
const reconstructions = fixture.events.filter((e): e is Extract<RunEvent, { type: 'reconstructions' }> => e.type === 'reconstructions');
const epochEnds = fixture.events.filter((e): e is Extract<RunEvent, { type: 'epochEnd' }> => e.type === 'epochEnd');

describe(`lab webview: text results of a recorded run (${fixture.events.length} run messages)`, () => {
  let browser: WebviewBrowser;
  let lab: WebviewPage;

  before(async () => {
    browser = await launchWebviewBrowser();
    lab = await browser.open('lab');
    await lab.sendState(initialState(fixture, { config: { preset: 'sequence', epochs: 3, batchSize: 32 } }));
    for (const event of fixture.events) await lab.send({ type: 'run', event });
  });

  after(async () => {
    await lab?.close();
    await browser?.close();
  });

  it('shows each input line beside its greedy reconstruction, the differing characters marked', async () => {
    const last = reconstructions.at(-1)!.data;
    const inputs = await lab.probe<string[]>('text', '.ae-pairs-host .ae-text-pairs tbody td:first-child');
    assert.deepEqual(inputs, last.texts!.map((t) => t.input));
    assert.ok(inputs.every((line) => /[\u4e00-\u9fff]/.test(line)), 'Chinese lines');
    const differing = await lab.probe<Array<string | null>>('text', '.ae-pairs-host .ae-text-output .ae-visually-hidden');
    const counts = await Promise.all(last.texts!.map((_, i) => lab.probe<string | null>('attribute', `.ae-pairs-host .ae-text-pairs tbody tr:nth-child(${i + 1}) .ae-text-output`, 'data-differing')));
    last.texts!.forEach(({ input, output }, i) => {
      const expected = Array.from(input);
      const actual = Array.from(output);
      const wrong = actual.filter((ch, p) => ch !== expected[p]).length + Math.max(0, expected.length - actual.length);
      assert.equal(Number(counts[i]), wrong, `line ${i}: ${input} -> ${output}`);
      assert.match(differing[i] ?? '', wrong === 0 ? /reconstructed exactly/ : wrong === 1 ? /one character differs/ : new RegExp(`${wrong} characters differ`));
    });
    const marked = await lab.probe<string[]>('text', '.ae-pairs-host .ae-text-pairs mark.ae-text-diff:not(.ae-text-missing)');
    assert.ok(marked.length > 0, 'a three-epoch model still gets characters wrong, and they are marked');
  });

  it("states the shown epoch's held-out exact match and character accuracy", async () => {
    const metrics = epochEnds.at(-1)!.metrics;
    const [line] = await lab.probe<string[]>('text', '.ae-text-metrics');
    const percent = (v: number) => `${(v * 100).toFixed(1)}%`;
    assert.equal(
      line,
      `Held-out lines at epoch ${metrics.epoch}: ${percent(metrics.val_exact_match!)} reconstructed exactly, ${percent(metrics.val_char_accuracy!)} of characters right (greedy decoding).`,
    );
  });

  it('interpolates between two lines (a typed one included), samples new lines and lists nearest lines through generate requests', async () => {
    const results = lab.page.getByRole('region', { name: 'Results', exact: true });
    assert.ok(!(await lab.probe<boolean>('visible', '.ae-button-row vscode-button:nth-of-type(3)')), 'no picture grid for text');
    await lab.page.locator('.ae-generate-form .ae-field', { has: lab.page.locator('label', { hasText: /^Or type the second line$/ }) }).locator('input').fill('床前明月光');
    await results.getByRole('button', { name: 'Interpolate' }).click();
    const interpolate = await lab.waitForPosted('generate');
    const first = reconstructions.at(-1)!.data.indices[0];
    assert.deepEqual({ mode: interpolate.mode, a: interpolate.a, textB: interpolate.textB, b: interpolate.b }, { mode: 'interpolate', a: first, textB: '床前明月光', b: undefined });
    const lines = ['秦川雄帝宅', '秦川明月光', '床前明月光'];
    await lab.send({ type: 'reply', requestId: interpolate.requestId as number, result: { texts: lines } });
    assert.deepEqual(await lab.probe<string[]>('text', '.ae-generated li'), lines);

    await results.getByRole('button', { name: 'Sample new lines' }).click();
    const prior = await lab.waitForPosted('generate', 2);
    assert.equal(prior.mode, 'prior');
    await lab.send({ type: 'reply', requestId: prior.requestId as number, result: { texts: ['山中相送罷', '日暮掩柴扉'] } });
    assert.deepEqual(await lab.probe<string[]>('text', '.ae-generated li'), ['山中相送罷', '日暮掩柴扉']);

    await results.getByRole('button', { name: 'Nearest lines' }).click();
    const nearest = await lab.waitForPosted('generate', 3);
    assert.deepEqual({ mode: nearest.mode, a: nearest.a }, { mode: 'nearest', a: first });
    const neighbours = [
      { index: first, text: '秦川雄帝宅，函谷壯皇居。', distance: 0 },
      { index: 7, text: '綺殿千尋起，離宮百雉餘。', distance: 1.25 },
    ];
    await lab.send({ type: 'reply', requestId: nearest.requestId as number, result: { neighbours } });
    const labels = await lab.page.locator('.ae-neighbours li').evaluateAll((items) => items.map((item) => item.getAttribute('aria-label')));
    assert.deepEqual(labels, ['秦川雄帝宅，函谷壯皇居。 (distance 0)', '綺殿千尋起，離宮百雉餘。 (distance 1.25)']);
  });

  it('keeps within the content security policy and logs no errors; screenshot in test-results/lab-text.png', async () => {
    assert.deepEqual(await lab.violations(), []);
    assert.deepEqual(lab.errors, []);
    const path = await lab.screenshot('lab-text.png');
    assert.ok(path.endsWith('lab-text.png'));
  });
});
