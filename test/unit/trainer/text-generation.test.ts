import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TrainerClient } from '../../../src/trainer/trainer-client';
import { ensureBuilt, repoRoot, startedClient, temporaryFolder, wordsFile } from './trainer-helpers';

// Text through the real trainer child process: per-epoch text metrics and reconstructions, then
// interpolation, sampling and nearest lines decoded from the saved model by `generate` requests.

const tangFile = join(repoRoot, 'samples', 'poetry', 'tang.txt');
const smallSequence = { preset: 'sequence', rnnUnits: 32, codeSize: 16, embeddingSize: 16, batchSize: 32, learningRate: 0.01 } as const;

describe('text through the trainer protocol', () => {
  const folder = temporaryFolder('text');
  const clients: TrainerClient[] = [];
  before(() => ensureBuilt());
  after(() => {
    for (const client of clients) client.dispose();
    folder.remove();
  });

  test('English words: text metrics every epoch, then interpolation, typed-in lines, prior samples and nearest lines', async () => {
    const { client, log } = await startedClient();
    clients.push(client);
    client.send({ type: 'start', dataset: { path: wordsFile, limit: 300 }, config: { ...smallSequence, epochs: 2, variational: true }, runsRoot: folder.path, previewCount: 4 });
    const done = await log.waitFor('done', () => true, 240_000);
    assert.equal(done.status, 'completed', log.summary());

    const epochs = log.of('epochEnd').map((m) => m.metrics);
    assert.equal(epochs.length, 2);
    for (const m of epochs) {
      assert.ok(m.val_char_accuracy! >= 0 && m.val_char_accuracy! <= 1, `char accuracy ${m.val_char_accuracy}`);
      assert.ok(m.val_exact_match! >= 0 && m.val_exact_match! <= m.val_char_accuracy!, `exact match ${m.val_exact_match}`);
    }
    const metricsLines = readFileSync(join(done.runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.ok('val_char_accuracy' in metricsLines[1] && 'val_exact_match' in metricsLines[1], 'the text metrics are in metrics.jsonl');
    const reconstructions = log.of('reconstructions').at(-1)!.data;
    assert.equal(reconstructions.texts!.length, 4);
    const words = readFileSync(wordsFile, 'utf8').split('\n');
    for (const [k, pair] of reconstructions.texts!.entries()) assert.equal(pair.input, words[reconstructions.indices[k]], 'inputs are the original lines');

    const [a, b] = reconstructions.indices;
    const interpolation = await client.request({ type: 'generate', runDir: done.runDir, mode: 'interpolate', a, b, steps: 5 });
    assert.equal(interpolation.texts!.length, 5);
    assert.ok(interpolation.texts!.every((text) => typeof text === 'string' && !text.includes('\n')));
    const typed = await client.request({ type: 'generate', runDir: done.runDir, mode: 'interpolate', textA: 'lamp', textB: 'zebra', steps: 3 });
    assert.equal(typed.texts!.length, 3);
    const prior = await client.request({ type: 'generate', runDir: done.runDir, mode: 'prior', steps: 4 });
    assert.equal(prior.texts!.length, 4);
    const nearest = await client.request({ type: 'generate', runDir: done.runDir, mode: 'nearest', a, steps: 6 });
    assert.equal(nearest.neighbours!.length, 6);
    assert.deepEqual([nearest.neighbours![0].index, nearest.neighbours![0].distance], [a, 0], 'a line is nearest to itself');
    assert.equal(nearest.neighbours![0].text, words[a]);
    assert.ok(nearest.neighbours!.every((n, i) => i === 0 || n.distance >= nearest.neighbours![i - 1].distance), 'nearest first');
    await assert.rejects(client.request({ type: 'generate', runDir: done.runDir, mode: 'nearest', a: 300 }), /sample 300 does not exist/);
  });

  test('Chinese verses: reconstructions and interpolation are Chinese text', async () => {
    const { client, log } = await startedClient();
    clients.push(client);
    client.send({ type: 'start', dataset: { path: tangFile, limit: 120 }, config: { ...smallSequence, epochs: 1 }, runsRoot: folder.path, previewCount: 3 });
    const done = await log.waitFor('done', () => true, 240_000);
    assert.equal(done.status, 'completed', log.summary());
    const started = log.of('started')[0];
    assert.ok(started.dataset.vocabularySize! > 500, 'a vocabulary of characters');
    const texts = log.of('reconstructions').at(-1)!.data.texts!;
    assert.match(texts[0].input, /^[\u4e00-\u9fff]+，[\u4e00-\u9fff]+。$/);
    const interpolation = await client.request({ type: 'generate', runDir: done.runDir, mode: 'interpolate', textA: '床前明月光', b: 0, steps: 3 });
    assert.equal(interpolation.texts!.length, 3);
    const nearest = await client.request({ type: 'generate', runDir: done.runDir, mode: 'nearest', a: 5, steps: 3 });
    assert.match(nearest.neighbours![0].text, /[\u4e00-\u9fff]/);
  });

  test('nearest lines are for text runs', async () => {
    const { client, log } = await startedClient();
    clients.push(client);
    const images = join(repoRoot, 'samples', 'fashion-mnist', 'train-images-idx3-ubyte.gz');
    client.send({ type: 'start', dataset: { path: images, limit: 64 }, config: { preset: 'dense', hiddenLayers: [16], codeSize: 4, epochs: 1 }, runsRoot: folder.path });
    const done = await log.waitFor('done', () => true, 120_000);
    await assert.rejects(client.request({ type: 'generate', runDir: done.runDir, mode: 'nearest', a: 0 }), /nearest lines are for text runs/);
  });
});
