import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PNG } from 'pngjs';
import { TFJS_NODE_LOCATION_ENV, tfjsNodePackageIn } from '../../../src/trainer/tfjs-node-location';
import { nativeAtHand } from '../test-backends';
import { cliScript, ensureBuilt, fashionImages, repoRoot, temporaryFolder, wordsFile } from '../trainer/trainer-helpers';

// The CLI end to end: dist/cli.js as a user runs it, forking dist/trainer.js beside itself.

function cli(args: string[], cwd: string, backend = 'wasm') {
  const result = spawnSync(process.execPath, [cliScript, ...args], { cwd, encoding: 'utf8', timeout: 60_000, env: { ...process.env, AUTOENCODER_LAB_BACKEND: backend } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('autoencoder-lab CLI', () => {
  const folder = temporaryFolder('cli');
  before(() => ensureBuilt());
  after(() => folder.remove());

  test('without --epochs training is automatic: it ends by patience or the time limit and says why', () => {
    const out = join(folder.path, 'automatic-runs');
    const result = cli(['train', fashionImages, '--limit', '200', '--max-time', '3', '--patience', '2', '--out', out], folder.path);
    assert.equal(result.code, 0, result.stderr);
    const line = /^completed after (\d+) epoch\(s\): (no improvement for 2 epochs|time limit reached); model from epoch (\d+) \(val_mse [\d.]+\)$/m.exec(result.stdout);
    assert.ok(line, result.stdout);
    const runDir = join(out, readdirSync(out)[0]);
    const status = JSON.parse(readFileSync(join(runDir, 'status.json'), 'utf8')) as { stopReason: string; bestEpoch: number; epochsCompleted: number };
    assert.equal(status.stopReason, line[2].startsWith('no') ? 'patience' : 'time');
    assert.equal(status.bestEpoch, Number(line[3]));
    assert.equal(status.epochsCompleted, Number(line[1]));
  });

  test('on tensorflow the CLI and the report say where tfjs-node was loaded from', { skip: !nativeAtHand && 'tfjs-node not at hand' }, () => {
    const out = join(folder.path, 'native');
    const result = cli(['train', fashionImages, '--epochs', '1', '--limit', '200', '--out', out], folder.path, 'tensorflow');
    assert.equal(result.code, 0, result.stderr);
    const origin = tfjsNodePackageIn(process.env[TFJS_NODE_LOCATION_ENV]!)!;
    assert.ok(`${result.stdout}${result.stderr}`.includes(`trainer ready: backend tensorflow (tfjs-node loaded from ${origin})`), result.stdout + result.stderr);
    const [name] = readdirSync(out);
    const html = readFileSync(join(out, name, 'report.html'), 'utf8');
    assert.match(html, /Backend<\/th><td>tensorflow/);
    assert.ok(html.includes(`tfjs-node loaded from</th><td>${origin}`), 'the report names the folder');
  });

  test('train writes a run folder and a self-contained report.html, with plain lines when not on a terminal', () => {
    const result = cli(['train', fashionImages, '--epochs', '2', '--limit', '300', '--batch-size', '64', '--code-size', '16', '--seed', '7'], folder.path);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(!result.stdout.includes('\r') && !result.stdout.includes('\u001b['), 'no progress bar redraws in a pipe');
    assert.match(result.stdout, /^epoch 1: loss [\d.]+, val_loss [\d.]+, val_mse [\d.]+, [\d.]+ s, \d+ samples\/s$/m);
    assert.match(result.stdout, /^completed after 2 epoch\(s\): epoch limit reached; model from epoch \d \(val_mse [\d.]+\)$/m);

    // Default --out: .autoencoder-lab/runs under the current directory.
    const runsRoot = join(folder.path, '.autoencoder-lab', 'runs');
    const [name] = readdirSync(runsRoot);
    assert.match(name, /^\d{8}-\d{6}-fashion-mnist-train-dense$/);
    const runDir = join(runsRoot, name);
    for (const file of ['config.json', 'metrics.jsonl', 'status.json', 'reconstructions.json', 'report.html', 'model/autoencoder/model.json']) {
      assert.ok(existsSync(join(runDir, file)), file);
    }
    const config = JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8'));
    assert.deepEqual([config.config.epochs, config.config.batchSize, config.config.codeSize, config.config.seed], [2, 64, 16, 7]);
    assert.equal(config.dataset.limit, 300);
    assert.equal(JSON.parse(readFileSync(join(runDir, 'status.json'), 'utf8')).status, 'completed');

    const html = readFileSync(join(runDir, 'report.html'), 'utf8');
    assert.match(html, /<svg [^>]*aria-label="Loss per epoch"/);
    assert.equal((html.match(/<path d="M/g) ?? []).length, 2, 'training and validation curves');
    assert.match(html, /Backend<\/th><td>wasm/);
    assert.match(html, /enc_dense_1/, 'model summary table');
    assert.equal((html.match(/<circle cx="[\d.]+" cy="[\d.]+" r="2\.5"/g) ?? []).length, 300, 'a dot per code (all 300 samples)');
    assert.doesNotMatch(html, /<script|src="http|href="http/, 'self-contained');
    // `report` writes the same report again from the folder alone.
    const again = cli(['report', runDir], folder.path);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout, `report: ${join(runDir, 'report.html')}\n`);
    assert.match(readFileSync(join(runDir, 'report.html'), 'utf8'), /aria-label="Loss per epoch"/);
    const notARun = cli(['report', folder.path], folder.path);
    assert.equal(notARun.code, 1);
    assert.match(notARun.stderr, /not a run folder/);

    const images = [...html.matchAll(/src="data:image\/png;base64,([^"]+)"/g)].map((m) => PNG.sync.read(Buffer.from(m[1], 'base64')));
    assert.equal(images.length, 32, '8 inputs + 8 reconstructions, and the 8 + 8 worst');
    assert.ok(images.every((png) => png.width === 28 && png.height === 28));
  });

  test('--resume continues a run in its own folder from its checkpoint (here: one more epoch)', () => {
    const out = join(folder.path, 'resume-runs');
    const first = cli(['train', fashionImages, '--epochs', '1', '--limit', '200', '--out', out], folder.path);
    assert.equal(first.code, 0, first.stderr);
    const [name] = readdirSync(out);
    const again = cli(['train', fashionImages, '--limit', '200', '--epochs', '2', '--resume', join(out, name)], folder.path);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /resuming after epoch 1/);
    assert.deepEqual(readdirSync(out), [name]);
    const lines = readFileSync(join(out, name, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).epoch);
    assert.deepEqual(lines, [1, 2]);
    assert.equal(JSON.parse(readFileSync(join(out, name, 'status.json'), 'utf8')).epochsCompleted, 2);
  });

  test('Ctrl-C stops the run gracefully: the run is finalized as stopped, with its report, exit 130', async () => {
    const out = join(folder.path, 'interrupted-runs');
    // Its own process group, so the SIGINT reaches the CLI and its trainer as a terminal's Ctrl-C does.
    const child = spawn(process.execPath, [cliScript, 'train', fashionImages, '--limit', '400', '--epochs', '100', '--batch-size', '32', '--out', out], {
      cwd: folder.path,
      detached: true,
      env: { ...process.env, AUTOENCODER_LAB_BACKEND: 'wasm' },
    });
    let stdout = '';
    child.stdout.setEncoding('utf8');
    const firstEpoch = new Promise<void>((resolve) => child.stdout.on('data', (text: string) => (stdout += text).includes('epoch 1:') && resolve()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await firstEpoch;
    process.kill(-child.pid!, 'SIGINT');
    assert.equal(await exited, 130, stdout);
    assert.match(stdout, /stopping after this batch/);
    assert.match(stdout, /^stopped after \d+ epoch\(s\): stopped by the user; model from epoch \d+/m);
    const [name] = readdirSync(out);
    assert.equal(JSON.parse(readFileSync(join(out, name, 'status.json'), 'utf8')).status, 'stopped');
    assert.ok(existsSync(join(out, name, 'report.html')));
  });

  test('--config takes any model option from a JSON file; flags override it; a bad file is one clear error', () => {
    const out = join(folder.path, 'config-runs');
    const file = join(folder.path, 'model.json');
    writeFileSync(file, JSON.stringify({ hiddenLayers: [24], codeSize: 6, loss: 'bce', epochs: 5 }));
    const result = cli(['train', fashionImages, '--config', file, '--epochs', '1', '--limit', '128', '--out', out], folder.path);
    assert.equal(result.code, 0, result.stderr);
    const [name] = readdirSync(out);
    const { config } = JSON.parse(readFileSync(join(out, name, 'config.json'), 'utf8'));
    assert.deepEqual([config.hiddenLayers, config.codeSize, config.loss, config.epochs], [[24], 6, 'bce', 1]);

    writeFileSync(file, '{ "codeSize": 6, }');
    const broken = cli(['train', fashionImages, '--config', file, '--out', out], folder.path);
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /model\.json: the config file is not valid JSON/);
    writeFileSync(file, JSON.stringify({ codeSize: 6, hidenLayers: [3] }));
    const unknown = cli(['train', fashionImages, '--config', file, '--out', out], folder.path);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /hidenLayers/);
    assert.equal(readdirSync(out).length, 1, 'no run for a bad config');
  });

  test('train on text picks the sequence preset; the report shows text metrics, interpolation, sampled and nearest lines', () => {
    const result = cli(['train', wordsFile, '--epochs', '2', '--limit', '64', '--batch-size', '32', '--out', join(folder.path, 'text-runs')], folder.path);
    assert.equal(result.code, 0, result.stderr);
    const [name] = readdirSync(join(folder.path, 'text-runs'));
    const html = readFileSync(join(folder.path, 'text-runs', name, 'report.html'), 'utf8');
    assert.match(name, /-sequence$/);
    assert.match(html, /<th>Input<\/th><th>Reconstruction<\/th>/);
    assert.match(html, /<th class="num">Lines exact<\/th><th class="num">Characters right<\/th>/);
    // The sequence preset anneals: epoch 1 at Adam's 0.003, epoch 2 (past 60% of the two epochs) lower.
    assert.match(html, /<th class="num">Learning rate<\/th>/);
    assert.match(result.stdout, /^epoch 1: .*, learning rate 0\.0030$/m);
    assert.match(result.stdout, /^epoch 2: .*, learning rate 0\.00[0-2]\d*$/m);
    assert.match(html, /<tr><th>Held-out lines reconstructed exactly<\/th><td>[\d.]+% \(epoch \d, greedy decoding\)<\/td><\/tr>/);
    for (const section of ['Interpolation', 'Sampled lines', 'Nearest lines']) assert.match(html, new RegExp(`<h2>${section}</h2>`));
    // Eight interpolation steps, eight sampled lines, eight nearest lines.
    assert.equal((html.match(/<ol class="lines">/g) ?? []).length, 2);
  });

  test('inspect prints format, count, shape, dtype, value range and class counts', () => {
    const result = cli(['inspect', fashionImages], folder.path);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^format\s+idx$/m);
    assert.match(result.stdout, /^count\s+2000$/m);
    assert.match(result.stdout, /^shape\s+28 × 28 \(model input 28 × 28 × 1\)$/m);
    assert.match(result.stdout, /^dtype\s+uint8$/m);
    assert.match(result.stdout, /^values\s+0 … 255 /m);
    assert.match(result.stdout, /^classes\s+10: T-shirt\/top \d+, Trouser \d+/m);
  });

  test('bad input: non-zero exit, one clear error on stderr, no run written', () => {
    const out = join(folder.path, 'bad-runs');
    const missing = join(folder.path, 'missing.npy');
    const noData = cli(['train', missing, '--out', out], folder.path);
    assert.equal(noData.code, 1);
    assert.equal(noData.stderr.trim().split('\n').length, 1, noData.stderr);
    assert.match(noData.stderr, new RegExp(`^autoencoder-lab: ${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));

    const notData = cli(['train', join(repoRoot, 'package.json'), '--out', out], folder.path);
    assert.equal(notData.code, 1);
    assert.match(notData.stderr, /package\.json: has an unknown dataset format/);

    const badConfig = cli(['train', wordsFile, '--model', 'conv', '--out', out], folder.path);
    assert.equal(badConfig.code, 1);
    assert.match(badConfig.stderr, /^autoencoder-lab: Invalid model config: the conv preset cannot read text/);
    assert.equal(existsSync(out), false, 'nothing written');

    const badNumber = cli(['train', fashionImages, '--epochs', 'many'], folder.path);
    assert.equal(badNumber.code, 2);
    assert.match(badNumber.stderr, /--epochs must be a whole number ≥ 1, got "many"/);
    const badThreads = cli(['train', fashionImages, '--threads', '3'], folder.path);
    assert.equal(badThreads.code, 2);
    assert.match(badThreads.stderr, /--threads must be auto, 1 or 2, got "3"/);
    const badOption = cli(['train', fashionImages, '--epoch', '3'], folder.path);
    assert.equal(badOption.code, 2);
    assert.match(badOption.stderr, /Unknown option '--epoch'/);
    assert.match(cli(['--version'], folder.path).stdout, /^\d+\.\d+\.\d+\n$/);
    const badCommand = cli(['fit'], folder.path);
    assert.equal(badCommand.code, 2);
    assert.match(badCommand.stderr, /unknown command "fit"/);
    assert.equal(existsSync(join(folder.path, '.autoencoder-lab', 'runs')) ? readdirSync(join(folder.path, '.autoencoder-lab', 'runs')).length : 1, 1);
  });
});
