import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createRunFolder, runFolderName, RunFolder, sanitizeRunName, thinSeries } from '../../../src/trainer/run-folder';
import { listRuns, readRun, readRunInfo } from '../../../src/trainer/runs';
import { temporaryFolder } from './trainer-helpers';

const metrics = (epoch: number) => ({ epoch, loss: 1 / epoch, val_loss: 1.1 / epoch, seconds: 0.5, samples_per_second: 1000 });

describe('run folders and the runs list', () => {
  const folder = temporaryFolder('runs');
  after(() => folder.remove());

  test('folder names sort by time and carry a safe name', () => {
    assert.equal(runFolderName(new Date(2026, 10, 27, 9, 5, 3), 'fashion dense'), '20261127-090503-fashion-dense');
    assert.equal(sanitizeRunName('../../etc/passwd'), 'etc-passwd');
    assert.equal(sanitizeRunName('Ünïcödé ✓'), 'Unicode');
    assert.equal(sanitizeRunName('///'), 'run');
  });

  test('two runs started in the same second get their own folders', async () => {
    const root = join(folder.path, 'same-second');
    const now = new Date(2026, 0, 2, 3, 4, 5);
    const a = await createRunFolder(root, 'x', now);
    const b = await createRunFolder(root, 'x', now);
    assert.notEqual(a, b);
    assert.match(b, /20260102-030405-x-2$/);
  });

  test('a run goes running → completed; status.json is replaced atomically and written last', async () => {
    const root = join(folder.path, 'lifecycle');
    const run = new RunFolder(await createRunFolder(root, 'life'));
    await run.markRunning({ backend: 'wasm', startedAt: new Date().toISOString(), epochs: 2, dataset: '/data/x.npy', epochsCompleted: 0 });
    assert.equal((await readRunInfo(run.dir))!.status, 'running', 'this process is alive');
    await run.appendMetrics(metrics(1));
    await run.appendMetrics(metrics(2));
    await run.finish({ status: 'completed', finalLoss: 0.5, epochsCompleted: 2 });
    const status = JSON.parse(readFileSync(join(run.dir, 'status.json'), 'utf8'));
    assert.equal(status.status, 'completed');
    assert.equal(status.finalLoss, 0.5);
    assert.equal(status.pid, process.pid);
    assert.deepEqual(readdirSync(run.dir).sort(), ['metrics.jsonl', 'status.json']);
    const info = (await listRuns(root))[0];
    assert.deepEqual([info.status, info.epochsCompleted, info.finalLoss, info.backend], ['completed', 2, 0.5, 'wasm']);
  });

  test('a run whose process is gone is interrupted; a run without status too; a torn metrics line is ignored', async () => {
    const root = join(folder.path, 'interrupted');
    const dead = new RunFolder(await createRunFolder(root, 'dead'));
    await dead.markRunning({ backend: 'wasm', startedAt: new Date().toISOString(), epochs: 5, dataset: '/d', epochsCompleted: 0 });
    // Rewrite the pid with one of a process that has certainly exited.
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const status = JSON.parse(readFileSync(join(dead.dir, 'status.json'), 'utf8'));
    writeFileSync(join(dead.dir, 'status.json'), JSON.stringify({ ...status, pid: Number(gone.stdout) }));
    await dead.appendMetrics(metrics(1));
    appendFileSync(join(dead.dir, 'metrics.jsonl'), '{"epoch":2,"lo');
    mkdirSync(join(dead.dir, 'checkpoint'));
    writeFileSync(join(dead.dir, 'checkpoint', 'checkpoint.json'), JSON.stringify({ metadata: { epoch: 1 } }));

    const early = await createRunFolder(root, 'early');
    writeFileSync(join(early, 'config.json'), JSON.stringify({ name: 'early', createdAt: '2026-01-01T00:00:00Z', dataset: { path: '/d' }, config: { preset: 'vae' } }));
    mkdirSync(join(root, 'not-a-run'));

    const runs = await listRuns(root);
    assert.equal(runs.length, 2, 'folders that are not runs are skipped');
    const byName = Object.fromEntries(runs.map((r) => [r.name.replace(/^\d{8}-\d{6}-/, ''), r]));
    assert.equal(byName.dead.status, 'interrupted');
    assert.equal(byName.dead.epochsCompleted, 1);
    assert.equal(byName.dead.checkpointEpoch, 1);
    assert.equal(byName.early.status, 'interrupted');
    assert.equal(byName.early.preset, 'vae');

    const view = await readRun(dead.dir);
    assert.equal(view.status, 'failed');
    assert.equal(view.info.status, 'interrupted');
    assert.deepEqual(view.epochs.map((m) => m.epoch), [1]);
    assert.match(view.error!, /killed or crashed\) after 1 epoch\(s\)\. It can be resumed from its checkpoint after epoch 1\./);
  });

  test('a long loss series is thinned evenly on disk, keeping its last point', () => {
    const steps = Array.from({ length: 25_001 }, (_, i) => i + 1);
    const thinned = thinSeries({ steps, losses: steps.map((s) => 1 / s) }, 10_000);
    assert.ok(thinned.steps.length <= 10_000);
    assert.equal(thinned.steps[0], 1);
    assert.equal(thinned.steps.at(-1), 25_001);
    assert.deepEqual(thinned.losses.slice(0, 2), [1, 1 / thinned.steps[1]]);
    const short = { steps: [1, 2], losses: [0.5, 0.4] };
    assert.equal(thinSeries(short), short);
  });

  test('listRuns of a missing folder is empty; readRun of a non-run says so', async () => {
    assert.deepEqual(await listRuns(join(folder.path, 'nothing-here')), []);
    await assert.rejects(readRun(folder.path), /not a run folder/);
  });

  test('readRun validates what it read: a run folder with a malformed file is an error naming that file', async () => {
    const root = join(folder.path, 'malformed');
    const make = async (name: string) => {
      const run = new RunFolder(await createRunFolder(root, name));
      await run.markRunning({ backend: 'wasm', startedAt: new Date().toISOString(), epochs: 1, dataset: '/d', epochsCompleted: 0 });
      await run.appendMetrics(metrics(1));
      await run.finish({ status: 'completed', finalLoss: 1, epochsCompleted: 1 });
      return run.dir;
    };
    const good = await make('good');
    assert.equal((await readRun(good)).epochs.length, 1);

    const badReconstructions = await make('bad-reconstructions');
    writeFileSync(join(badReconstructions, 'reconstructions.json'), JSON.stringify({ reconstructions: [{ epoch: 'one', indices: [0] }] }));
    await assert.rejects(readRun(badReconstructions), (error: Error) => {
      assert.match(error.message, /bad-reconstructions/, 'names the run folder');
      assert.match(error.message, /reconstructions\.json/, 'names the file');
      assert.match(error.message, /epoch/, 'names the field');
      return true;
    });

    const badLosses = await make('bad-losses');
    writeFileSync(join(badLosses, 'batch-loss.json'), JSON.stringify({ steps: [1, 2], losses: ['x', null] }));
    await assert.rejects(readRun(badLosses), /batch-loss\.json/);
  });
});
