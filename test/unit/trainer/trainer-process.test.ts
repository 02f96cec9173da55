import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { listRuns, readRun } from '../../../src/trainer/runs';
import { TrainerClient } from '../../../src/trainer/trainer-client';
import { TFJS_NODE_LOCATION_ENV } from '../../../src/trainer/tfjs-node-location';
import { TEST_BACKENDS } from '../test-backends';
import { ensureBuilt, fashionImages, repoRoot, smallDense, startedClient, temporaryFolder, trainerScript } from './trainer-helpers';

// The trainer as a real child process: dist/trainer.js forked by TrainerClient, as the extension and the CLI do.

const dataset = { path: fashionImages, limit: 400 };

for (const backend of TEST_BACKENDS) describe(`trainer child process on ${backend}`, () => {
  const folder = temporaryFolder('trainer');
  const clients: TrainerClient[] = [];
  const track = <T extends { client: TrainerClient }>(value: T): T => {
    clients.push(value.client);
    return value;
  };

  before(() => ensureBuilt());
  after(() => {
    for (const client of clients) client.dispose();
    folder.remove();
  });

  test('starts, reports its backend, trains and writes a complete run folder', async () => {
    const { client, log } = track(await startedClient({ preferredBackend: backend }));
    const ready = log.of('ready')[0];
    assert.equal(ready.backend, backend);
    // tfjs-node comes from the folder it was pointed at, never from the project's node_modules.
    if (backend === 'tensorflow') assert.ok(ready.tfjsNode?.startsWith(process.env[TFJS_NODE_LOCATION_ENV]!), ready.tfjsNode);
    else assert.equal(ready.tfjsNode, undefined);
    assert.equal(ready.pid, client.pid);
    assert.match(ready.versions.tfjs, /^4\./);

    const runsRoot = join(folder.path, 'complete');
    client.send({ type: 'start', dataset, config: { ...smallDense, epochs: 2 }, runsRoot, name: 'first run', previewCount: 4 });
    const done = await log.waitFor('done');
    assert.equal(done.status, 'completed', log.summary());

    const started = log.of('started')[0];
    assert.equal(started.runDir, done.runDir);
    assert.match(started.runDir, /[/\\]\d{8}-\d{6}-first-run$/);
    assert.equal(started.dataset.count, 400);
    assert.equal(started.graph.preset, 'dense');
    assert.equal(started.resumedFromEpoch, 0);

    // Progress and smoothed loss arrive throttled; every batch has a loss point.
    const progress = log.of('progress');
    assert.ok(progress.length >= 2);
    const last = progress.at(-1)!;
    assert.deepEqual([last.epoch, last.epochs, last.batch], [2, 2, last.batches]);
    assert.ok(last.samplesPerSecond > 0 && last.elapsedSeconds > 0);
    const steps = log.of('batchLoss').flatMap((m) => m.steps);
    assert.deepEqual(steps, Array.from({ length: 2 * last.batches }, (_, i) => i + 1));

    const epochs = log.of('epochEnd').map((m) => m.metrics);
    assert.deepEqual(epochs.map((m) => m.epoch), [1, 2]);
    assert.ok(epochs[1].loss < epochs[0].loss, `loss went down: ${epochs.map((m) => m.loss)}`);
    assert.ok(epochs.every((m) => m.val_loss !== null && m.val_loss > 0 && m.samples_per_second > 0));
    assert.equal(done.finalLoss, epochs[1].loss);

    const reconstructions = log.of('reconstructions').map((m) => m.data);
    assert.equal(reconstructions.length, 2);
    for (const r of reconstructions) {
      assert.equal(r.indices.length, 4);
      assert.deepEqual(r.indices, reconstructions[0].indices, 'the same validation samples every epoch');
      assert.equal(Buffer.from(r.inputs!.pixels, 'base64').length, 4 * 28 * 28);
      assert.equal(Buffer.from(r.outputs!.pixels, 'base64').length, 4 * 28 * 28);
      assert.equal(r.errors.length, 4);
    }
    const codes = log.of('codes').at(-1)!.data;
    assert.equal(codes.points.length, 2 * codes.labels!.length);
    assert.equal(codes.labels!.length, 400, 'up to 500 samples: validation first, then training samples');
    assert.equal(codes.classNames!.length, 10);
    const anomalies = log.of('anomalies')[0].data;
    assert.equal(anomalies.indices.length, 8);
    assert.ok(anomalies.errors.every((e, i) => i === 0 || e <= anomalies.errors[i - 1] + 1e-6), 'worst first');

    const runDir = done.runDir;
    for (const file of ['config.json', 'metrics.jsonl', 'reconstructions.json', 'status.json', 'checkpoint/checkpoint.json']) {
      assert.ok(existsSync(join(runDir, file)), `${file} exists`);
    }
    for (const part of ['autoencoder', 'encoder', 'decoder']) assert.ok(existsSync(join(runDir, 'model', part, 'model.json')), `model/${part}`);
    const metricsLines = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(Object.keys(metricsLines[0]).sort(), ['best_epoch', 'epoch', 'loss', 'samples_per_second', 'seconds', 'val_loss', 'val_mse']);
    assert.equal(metricsLines.length, 2);
    const status = JSON.parse(readFileSync(join(runDir, 'status.json'), 'utf8'));
    assert.equal(status.status, 'completed');
    assert.equal(status.backend, backend);
    assert.equal(status.tfjsNode, ready.tfjsNode);
    assert.equal(status.epochsCompleted, 2);
    assert.equal(status.dataset, fashionImages);
    assert.ok(Date.parse(status.endedAt) >= Date.parse(status.startedAt));
    assert.deepEqual(readdirSync(runDir).filter((f) => f.endsWith('.tmp')), [], 'no temporary files left');

    const [info] = await listRuns(runsRoot);
    assert.equal(info.status, 'completed');
    assert.equal(info.checkpointEpoch, 2);
    const run = await readRun(runDir);
    assert.equal(run.epochs.length, 2);
    assert.equal(run.reconstructions.at(-1)!.epoch, 2);
    assert.equal(run.anomalies!.indices.length, 8);
    assert.equal(run.graph!.preset, 'dense');
    assert.deepEqual(run.batchSteps, steps, 'the smoothed loss series is kept on disk');
    assert.deepEqual(run.batchLosses, log.of('batchLoss').flatMap((m) => m.losses));

    // The process stays for more requests after a completed run: generate from the saved model.
    const generated = await client.request({ type: 'generate', runDir, mode: 'interpolate', a: 0, b: 1, steps: 5 });
    assert.equal(generated.images!.count, 5);
    const grid = await client.request({ type: 'generate', runDir, mode: 'grid', steps: 3 });
    assert.equal(grid.images!.count, 9);
    const prior = await client.request({ type: 'generate', runDir, mode: 'prior', steps: 3 });
    assert.deepEqual([prior.images!.count, prior.images!.height, prior.images!.width], [3, 28, 28]);
    await assert.rejects(client.request({ type: 'generate', runDir, mode: 'interpolate', a: 0, b: 400 }), /sample 400 does not exist: the dataset has 400 samples/);
    await assert.rejects(client.request({ type: 'generate', runDir: folder.path, mode: 'prior' }), /not a run folder/);
  });

  test('progress is throttled to the requested interval', async () => {
    const { client, log } = track(await startedClient({ preferredBackend: backend }));
    client.send({ type: 'start', dataset, config: { ...smallDense, epochs: 3, batchSize: 8 }, runsRoot: join(folder.path, 'throttle'), progressIntervalMs: 250 });
    await log.waitFor('done');
    const progress = log.of('progress');
    const elapsed = progress.at(-1)!.elapsedSeconds;
    const batches = progress.at(-1)!.batches * 3;
    // One per interval, plus the one at each epoch's end: far fewer than one per batch.
    assert.ok(progress.length <= Math.ceil((elapsed * 1000) / 250) + 3 + 1, `${progress.length} progress messages in ${elapsed} s`);
    assert.ok(progress.length < batches / 2, `${progress.length} progress messages for ${batches} batches`);
  });

  test('pauses between batches and resumes', async () => {
    const { client, log } = track(await startedClient({ preferredBackend: backend }));
    client.send({ type: 'start', dataset, config: { ...smallDense, epochs: 50 }, runsRoot: join(folder.path, 'pause'), progressIntervalMs: 0 });
    await log.waitFor('progress', (m) => m.batch >= 2);
    client.send({ type: 'start', dataset, config: {}, runsRoot: join(folder.path, 'second') });
    assert.match((await log.waitFor('error')).message, /already in progress/);
    client.send({ type: 'pause' });
    await log.waitFor('paused');
    const stepsAtPause = log.of('batchLoss').flatMap((m) => m.steps).length;
    await new Promise((resolve) => setTimeout(resolve, 600));
    assert.equal(log.of('batchLoss').flatMap((m) => m.steps).length, stepsAtPause, 'no batch trained while paused');
    client.send({ type: 'resume' });
    await log.waitFor('resumed');
    await log.waitFor('progress', (m) => (m.epoch - 1) * m.batches + m.batch > stepsAtPause + 2);
    client.send({ type: 'stop' });
    const done = await log.waitFor('done');
    assert.equal(done.status, 'stopped');
  });

  test('stop ends the run within one batch, finalizes it as stopped and the process exits', async () => {
    const { client, log } = track(await startedClient({ preferredBackend: backend }));
    const runsRoot = join(folder.path, 'stop');
    client.send({ type: 'start', dataset, config: { ...smallDense, epochs: 50 }, runsRoot, progressIntervalMs: 0 });
    await log.waitFor('epochEnd');
    const atStop = await log.waitFor('progress', () => true, 30_000, false);
    const stepAtStop = (atStop.epoch - 1) * atStop.batches + atStop.batch;
    client.send({ type: 'stop' });
    const done = await log.waitFor('done');
    const exit = await client.waitForExit();
    assert.equal(done.status, 'stopped');
    assert.deepEqual([exit.code, exit.expected], [0, true]);
    // At most the batch already running when the message arrived, plus one in flight on the way there.
    const lastStep = Math.max(...log.of('batchLoss').flatMap((m) => m.steps));
    assert.ok(lastStep <= stepAtStop + 2, `trained up to step ${lastStep} after stop at ${stepAtStop}`);

    const status = JSON.parse(readFileSync(join(done.runDir, 'status.json'), 'utf8'));
    assert.equal(status.status, 'stopped');
    assert.equal(status.epochsCompleted, log.of('epochEnd').length);
    assert.ok(existsSync(join(done.runDir, 'model', 'autoencoder', 'model.json')), 'the stopped model is saved');
    assert.equal((await listRuns(runsRoot))[0].status, 'stopped');
  });

  test('a trainer killed with SIGKILL is reported with its stderr tail, and its run is seen as interrupted', async () => {
    const { client, log } = track(await startedClient({ preferredBackend: backend }));
    const runsRoot = join(folder.path, 'killed');
    client.send({ type: 'start', dataset, config: { ...smallDense, epochs: 50 }, runsRoot });
    const started = await log.waitFor('started');
    await log.waitFor('progress');
    // While it trains, nobody else may resume (write) its folder.
    const other = track(await startedClient({ preferredBackend: backend }));
    other.client.send({ type: 'start', dataset, config: {}, runsRoot, resumeRunDir: started.runDir });
    assert.match((await other.log.waitFor('error')).message, /still being trained by another trainer/);
    const pending = client.request({ type: 'describe', dataset, config: { preset: 'dense' } });
    const exited = client.waitForExit();
    process.kill(client.pid!, 'SIGKILL');
    const exit = await exited;
    assert.deepEqual([exit.signal, exit.code, exit.expected], ['SIGKILL', null, false]);
    assert.equal(typeof exit.stderrTail, 'string');
    assert.equal(client.running, false);
    await assert.rejects(pending, /exited \(killed by SIGKILL\)/);
    assert.throws(() => client.send({ type: 'pause' }), /not running/);

    const [info] = await listRuns(runsRoot);
    assert.equal(info.runDir, started.runDir);
    assert.equal(info.status, 'interrupted');
    if (info.checkpointEpoch === undefined) {
      other.client.send({ type: 'start', dataset, config: {}, runsRoot, resumeRunDir: started.runDir });
      const refused = await other.log.waitFor('error', (m) => /checkpoint/.test(m.message));
      assert.equal(refused.message, `${started.runDir}: cannot resume, the run has no checkpoint (it did not finish an epoch)`);
    }
    const run = await readRun(started.runDir);
    assert.equal(run.status, 'failed');
    assert.match(run.error!, /killed or crashed/);
  });

  test('a killed run resumes from its last checkpoint in the same folder, with the losses of an uninterrupted run', async () => {
    const config = { ...smallDense, epochs: 3 };
    const reference = track(await startedClient({ preferredBackend: backend }));
    reference.client.send({ type: 'start', dataset, config, runsRoot: join(folder.path, 'reference') });
    await reference.log.waitFor('done');
    const expected = reference.log.of('epochEnd').map((m) => m.metrics);

    const first = track(await startedClient({ preferredBackend: backend }));
    const runsRoot = join(folder.path, 'resume');
    first.client.send({ type: 'start', dataset, config, runsRoot });
    const started = await first.log.waitFor('started');
    await first.log.waitFor('epochEnd');
    // Kill right after the first epoch's checkpoint is on disk.
    while ((await listRuns(runsRoot))[0]?.checkpointEpoch !== 1) await new Promise((r) => setTimeout(r, 20));
    process.kill(first.client.pid!, 'SIGKILL');
    await first.client.waitForExit();
    const runsBefore = await listRuns(runsRoot);
    assert.equal(runsBefore[0].status, 'interrupted');

    const second = track(await startedClient({ preferredBackend: backend }));
    second.client.send({ type: 'start', dataset, config: {}, runsRoot, resumeRunDir: started.runDir });
    const resumed = await second.log.waitFor('started');
    assert.equal(resumed.runDir, started.runDir);
    const done = await second.log.waitFor('done');
    assert.equal(done.status, 'completed', second.log.summary());
    // Killed just after checkpoint 1 (or, on a slow machine, after 2): it continues from there.
    assert.ok([1, 2].includes(resumed.resumedFromEpoch), `resumed from ${resumed.resumedFromEpoch}`);
    assert.deepEqual(second.log.of('epochEnd').map((m) => m.metrics.epoch), [2, 3].slice(resumed.resumedFromEpoch - 1));

    const metrics = readFileSync(join(done.runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(metrics.map((m) => m.epoch), [1, 2, 3]);
    for (let i = 0; i < 3; i++) {
      assert.ok(Math.abs(metrics[i].loss - expected[i].loss) <= 1e-6 * expected[i].loss, `epoch ${i + 1}: ${metrics[i].loss} vs ${expected[i].loss}`);
    }
    assert.equal((await listRuns(runsRoot)).length, 1, 'no second run folder');
    const { batchSteps } = await readRun(done.runDir);
    const batches = second.log.of('progress').at(-1)!.batches;
    assert.deepEqual(batchSteps, Array.from({ length: 3 * batches }, (_, i) => i + 1), 'one loss point per step, none twice');
  });

  test('invalid messages are rejected with a clear error, and the trainer keeps working', async () => {
    const { client, log } = track(await startedClient({ preferredBackend: backend }));
    client.send({ type: 'start', dataset } as never);
    client.send({ type: 'fly' } as never);
    const errors = await new Promise<string[]>((resolve) => {
      const check = () => (log.of('error').length >= 2 ? resolve(log.of('error').map((e) => e.message)) : setTimeout(check, 20));
      check();
    });
    assert.match(errors[0], /^Invalid message to the trainer: .*config/);
    assert.match(errors[1], /^Invalid message to the trainer: type: Invalid discriminator value/);
    await assert.rejects(client.request({ type: 'inspect', dataset: { path: '' } } as never), /Invalid message to the trainer: dataset\.path/);
    const inspected = await client.request({ type: 'inspect', dataset, page: 1, pageSize: 16 });
    assert.equal(inspected.result.summary.count, 400);
    assert.equal(inspected.result.samples!.count, 16);
    assert.equal(inspected.result.sampleLabels!.length, 16);
    const described = await client.request({ type: 'describe', dataset, config: { preset: 'conv' } });
    assert.equal(described.graph.preset, 'conv');
    // With no run, stop simply ends the process.
    client.send({ type: 'stop' });
    assert.deepEqual(await client.waitForExit(), { code: 0, signal: null, expected: true, stderrTail: '' });
  });

  test('a bad dataset path or config gives one clear error and writes no run', async () => {
    const { client, log } = track(await startedClient({ preferredBackend: backend }));
    const runsRoot = join(folder.path, 'bad');
    const missing = join(folder.path, 'no-such-file.npy');
    client.send({ type: 'start', dataset: { path: missing }, config: {}, runsRoot });
    const error = await log.waitFor('error');
    assert.match(error.message, new RegExp(`^${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
    assert.equal(error.message.split('\n').length, 1);
    assert.equal(error.stack, undefined, 'a data problem is not a crash');

    client.send({ type: 'start', dataset, config: { preset: 'dense', codeSize: -3 }, runsRoot });
    const configError = await log.waitFor('error', (m) => m !== error);
    assert.match(configError.message, /^Invalid model config: .*codeSize/);
    await assert.rejects(client.request({ type: 'describe', dataset, config: { preset: 'sequence' } }), /sequence preset reads text/);
    assert.equal(existsSync(runsRoot), false, 'no run folder for bad input');
    assert.equal(log.of('done').length, 0);
    assert.equal(client.running, true);
  });

  test('a run that fails mid-way (diverged) is finalized as failed with its reason', async () => {
    const { client, log } = track(await startedClient({ preferredBackend: backend }));
    const runsRoot = join(folder.path, 'diverged');
    const csv = join(repoRoot, 'samples', 'tabular', 'iris-like.csv');
    client.send({ type: 'start', dataset: { path: csv }, config: { optimizer: 'sgd', learningRate: 10, outputActivation: 'linear', batchSize: 16 }, runsRoot });
    const done = await log.waitFor('done');
    assert.equal(done.status, 'failed');
    const error = log.of('error')[0];
    assert.match(error.message, /^The loss became (NaN|-?Infinity) at epoch \d+, batch \d+: training diverged\. Try a lower learning rate\.$/);
    const status = JSON.parse(readFileSync(join(done.runDir, 'status.json'), 'utf8'));
    assert.deepEqual([status.status, status.error], ['failed', error.message]);
    assert.equal((await listRuns(runsRoot))[0].status, 'failed');
    assert.equal(client.running, true, 'the trainer stays for the next run');
  });

  test('the client never waits forever: a trainer that never gets ready is killed after the timeout', { skip: backend !== 'wasm' && 'stub trainers: nothing depends on the backend' }, async () => {
    const silent = join(folder.path, 'silent.js');
    writeFileSync(silent, 'process.stderr.write("stuck\\n"); setInterval(() => {}, 1000);\n');
    // Long enough for a stub node to start and write to stderr on a busy machine.
    const client = new TrainerClient({ trainerScript: silent, readyTimeoutMs: 3000, killGraceMs: 200 });
    clients.push(client);
    await assert.rejects(client.start(), /did not start within \d+ s\.\nstuck/);
    const exit = await client.waitForExit();
    assert.equal(exit.signal, 'SIGTERM');
    assert.equal(exit.expected, true);

    // A child that ignores SIGTERM is killed with SIGKILL after the grace period. Its wait for `ready`
    // outlasts a slow Node start on a loaded machine, so the handler is in place when SIGTERM comes.
    const stubborn = join(folder.path, 'stubborn.js');
    writeFileSync(stubborn, "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000);\n");
    const ignoring = new TrainerClient({ trainerScript: stubborn, readyTimeoutMs: 3000, killGraceMs: 300 });
    clients.push(ignoring);
    await assert.rejects(ignoring.start(), /did not start/);
    assert.equal((await ignoring.waitForExit()).signal, 'SIGKILL');

    const broken = new TrainerClient({ trainerScript, execPath: join(folder.path, 'no-such-node') });
    clients.push(broken);
    await assert.rejects(broken.start(), /could not be started|exited before it was ready/);
  });

  test('dispose ends a running trainer, which uses the SIGTERM grace to finalize its run as stopped', async () => {
    const { client, log } = track(await startedClient({ preferredBackend: backend }));
    const runsRoot = join(folder.path, 'dispose');
    client.send({ type: 'start', dataset, config: { ...smallDense, epochs: 50 }, runsRoot });
    await log.waitFor('progress');
    client.dispose();
    const exit = await client.waitForExit();
    assert.equal(exit.expected, true);
    assert.equal(client.running, false);
    const [run] = await listRuns(runsRoot);
    assert.equal(run.status, 'stopped');
  });
});
