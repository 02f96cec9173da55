import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type * as tfType from '@tensorflow/tfjs';
import type { Dataset } from '../../../src/data/dataset';
import { openDataset } from '../../../src/data/open-dataset';
import { splitIndices } from '../../../src/data/split';
import { buildModel } from '../../../src/models/build-model';
import { createOptimizer } from '../../../src/models/optimizer';
import { parseModelConfig } from '../../../src/models/parse-config';
import type { FromTrainer } from '../../../src/protocol/trainer-protocol';
import { TEST_BACKENDS, useBackend } from '../test-backends';
import { withDefaultPreset } from '../../../src/trainer/default-preset';
import { DataParallelStep } from '../../../src/trainer/parallel/data-parallel-step';
import { TrainControl } from '../../../src/trainer/train-control';
import { runTrainingLoop } from '../../../src/trainer/train-loop';
import { computeGradients } from '../../../src/trainer/parallel/compute-gradients';
import { ensureBuilt, fashionImages, repoRoot, startedClient, temporaryFolder, trainerScript, wordsFile } from './trainer-helpers';

// Data-parallel training (a real worker thread with its own wasm backend) against the plain loop.

let tf: typeof tfType;
let backend: string;
let images: Dataset;
let words: Dataset;
let verses: Dataset;

/** The bundled worker, as the trainer starts it (the product never loads a worker from sources). */
const workerScript = join(repoRoot, 'dist', 'gradient-worker.js');

before(async () => {
  ensureBuilt();
  images = await openDataset({ path: fashionImages, limit: 256 });
  words = await openDataset({ path: wordsFile, limit: 256 });
  verses = await openDataset({ path: join(repoRoot, 'samples', 'poetry', 'tang.txt'), limit: 64 });
});

/** One epoch of ~10 batches (the last one odd-sized); the per-batch losses (smoothed) and the epoch's. */
async function train(input: Record<string, unknown>, threads: 1 | 2, stopAtBatch?: number, dataset = images) {
  const config = parseModelConfig(withDefaultPreset({ ...input, batchSize: 25, epochs: 1 }, dataset), {
    kind: dataset.kind,
    inputShape: [...dataset.inputShape],
  });
  const vocabularySize = dataset.vocabulary?.length;
  const model = buildModel(config, dataset.inputShape, dataset.kind, vocabularySize);
  const optimizer = createOptimizer(config);
  const split = splitIndices(dataset.count, config.validationSplit, config.seed);
  const control = new TrainControl();
  const events: FromTrainer[] = [];
  const parallel = threads === 2 ? await DataParallelStep.start({ tf, model, optimizer, backend, workerScript, vocabularySize }) : undefined;
  try {
    const result = await runTrainingLoop({
      tf,
      dataset,
      model,
      optimizer,
      trainIndices: split.train,
      validationIndices: split.validation,
      batchSize: config.batchSize,
      epochs: config.epochs,
      seed: config.seed,
      progressIntervalMs: 0,
      control,
      emit: (message) => {
        events.push(message);
        if (message.type === 'progress' && message.batch === stopAtBatch) control.stop();
      },
      step: parallel ? (inputs, count) => parallel.run(inputs, count) : undefined,
    });
    return {
      result,
      steps: events.flatMap((m) => (m.type === 'batchLoss' ? m.steps : [])),
      losses: events.flatMap((m) => (m.type === 'batchLoss' ? m.losses : [])),
      epochLoss: events.flatMap((m) => (m.type === 'epochEnd' ? [m.metrics.loss, m.metrics.val_loss!] : [])),
      randomDraws: model.randomDraws,
    };
  } finally {
    await parallel?.dispose();
    optimizer.dispose();
    model.dispose();
  }
}

function assertClose(actual: number[], expected: number[], what: string): void {
  assert.equal(actual.length, expected.length, what);
  actual.forEach((value, i) => {
    const relative = Math.abs(value - expected[i]) / Math.max(Math.abs(expected[i]), 1e-12);
    assert.ok(relative < 1e-4, `${what}[${i}]: ${value} vs ${expected[i]} (relative ${relative.toExponential(2)})`);
  });
}

for (const testBackend of TEST_BACKENDS) describe(`data-parallel training on two threads, ${testBackend}`, () => {
  before(async () => {
    tf = await useBackend(testBackend);
    backend = testBackend;
  });

  for (const preset of ['dense', 'conv'] as const) {
    test(`${preset}: the same losses as one thread, batch by batch`, async () => {
      const input = preset === 'dense' ? { preset, hiddenLayers: [32], codeSize: 8 } : { preset };
      const plain = await train(input, 1);
      const parallel = await train(input, 2);
      assert.equal(plain.steps.length, 10);
      assert.deepEqual(parallel.steps, plain.steps);
      assertClose(parallel.losses, plain.losses, 'batch losses');
      assertClose(parallel.epochLoss, plain.epochLoss, 'epoch loss and validation loss');
      // Ten Adam steps moved the weights: the comparison is not between two untrained models.
      assert.ok(plain.losses.at(-1)! < plain.losses[0], `${plain.losses}`);
    });
  }

  test('sequence (English words, character dropout): the same losses as one thread, batch by batch, and the same random draws', async () => {
    const input = { preset: 'sequence', rnnUnits: 32, embeddingSize: 16, codeSize: 16, charDropout: 0.25 };
    const plain = await train(input, 1, undefined, words);
    const parallel = await train(input, 2, undefined, words);
    assert.equal(plain.steps.length, 10);
    assert.deepEqual(parallel.steps, plain.steps);
    assertClose(parallel.losses, plain.losses, 'batch losses');
    assertClose(parallel.epochLoss, plain.epochLoss, 'epoch loss and validation loss');
    assert.equal(parallel.randomDraws, plain.randomDraws);
    assert.ok(plain.losses.at(-1)! < plain.losses[0], `${plain.losses}`);
  });

  for (const [what, input] of [
    ['English words, character dropout', { preset: 'sequence', rnnUnits: 32, embeddingSize: 16, codeSize: 16, charDropout: 0.3 }],
    ['Chinese verses, variational', { preset: 'sequence', rnnUnits: 32, embeddingSize: 16, codeSize: 16, charDropout: 0.3, variational: true }],
  ] as const) test(`sequence (${what}): two halves weighted by their characters give the whole batch's loss and gradients under the same draws`, () => {
    const dataset = what.startsWith('Chinese') ? verses : words;
    const config = parseModelConfig(input, { kind: dataset.kind, inputShape: [...dataset.inputShape] });
    const model = buildModel(config, dataset.inputShape, dataset.kind, dataset.vocabulary!.length);
    try {
      const count = 31; // odd, lines of different lengths: the halves sort and pack differently from the whole
      const [maxLength] = dataset.inputShape;
      const ids = new Float32Array(count * maxLength);
      dataset.fillBatch(Int32Array.from({ length: count }, (_, i) => i), ids);
      const shares = model.lossShares!;
      const draws = shares.draw(ids, count);
      assert.ok((draws.dropped as Uint8Array).some((d) => d === 1), 'some characters were dropped');
      const half = 16;
      const part = (start: number, end: number) =>
        computeGradients(tf, model, tf.tensor2d(ids.slice(start * maxLength, end * maxLength), [end - start, maxLength]), shares.slice(draws, start, end));
      const whole = part(0, count);
      const first = part(0, half);
      const second = part(half, count);
      assert.ok(first.weight !== second.weight || first.weight > half, 'weights are characters, not lines');
      const total = first.weight + second.weight;
      assert.equal(whole.weight, total);
      const combined = (a: number, b: number) => (a * first.weight + b * second.weight) / total;
      assertClose([combined(first.loss.dataSync()[0], second.loss.dataSync()[0])], [whole.loss.dataSync()[0]], 'loss');
      whole.gradients.forEach((gradient, i) => {
        const expected = Array.from(gradient.dataSync());
        const a = first.gradients[i].dataSync();
        const b = second.gradients[i].dataSync();
        const actual = expected.map((_, j) => combined(a[j], b[j]));
        // Entries near zero carry the summation order's rounding: compare against the gradient's scale.
        const scale = Math.max(...expected.map(Math.abs), 1e-12);
        actual.forEach((value, j) => assert.ok(Math.abs(value - expected[j]) / scale < 1e-4, `gradient ${i}[${j}]: ${value} vs ${expected[j]}`));
      });
      // The plain one-thread loss draws the same: the model drew once above, so a fresh model's first loss matches `whole`.
      const fresh = buildModel(config, dataset.inputShape, dataset.kind, dataset.vocabulary!.length);
      try {
        const plainLoss = tf.tidy(() => fresh.loss(tf.tensor2d(ids, [count, maxLength]), true).dataSync()[0]);
        assertClose([plainLoss], [whole.loss.dataSync()[0]], 'one-thread loss of a fresh model');
      } finally {
        fresh.dispose();
      }
      tf.dispose([whole, first, second].flatMap((r) => [r.loss, ...r.gradients]));
    } finally {
      model.dispose();
    }
  });

  test('stop takes effect before the next batch', async () => {
    const run = await train({ preset: 'dense', hiddenLayers: [32], codeSize: 8 }, 2, 3);
    assert.equal(run.result.status, 'stopped');
    assert.equal(Math.max(...run.steps), 3);
    const text = await train({ preset: 'sequence', rnnUnits: 32, embeddingSize: 16, codeSize: 16 }, 2, 3, words);
    assert.equal(text.result.status, 'stopped');
    assert.equal(Math.max(...text.steps), 3);
  });

  test('a failing step rejects instead of hanging, and the worker ends', async () => {
    const config = parseModelConfig(withDefaultPreset({ preset: 'dense', hiddenLayers: [8], codeSize: 4 }, images), {
      kind: images.kind,
      inputShape: [...images.inputShape],
    });
    const model = buildModel(config, images.inputShape, images.kind);
    const optimizer = createOptimizer(config);
    const parallel = await DataParallelStep.start({ tf, model, optimizer, backend, workerScript });
    try {
      // Inputs of the wrong size for the model: making the tensors throws.
      await assert.rejects(parallel.run(new Float32Array(10), 2), /size|shape/i);
      // Still answers afterwards: the failed step left nothing stuck.
      const loss = await parallel.run(new Float32Array(2 * 784).fill(0.5), 2);
      assert.ok(Number.isFinite(loss));
    } finally {
      await parallel.dispose();
      optimizer.dispose();
      model.dispose();
    }
  });
});

describe('threads: 2 in the bundled trainer (dist/trainer.js with dist/gradient-worker.js beside it)', () => {
  const folder = temporaryFolder('parallel');
  before(() => ensureBuilt());
  after(() => folder.remove());

  for (const testBackend of TEST_BACKENDS) test(`${testBackend}: conv trains to the same final loss as one thread, on two by default on wasm; a preset with noise falls back to one thread`, async () => {
    const { client, log, ready } = await startedClient({ preferredBackend: testBackend });
    try {
      assert.equal(ready.backend, testBackend);
      const finalLosses: number[] = [];
      // [preset, the config's threads (undefined: not set, the automatic default), the threads config.json must record]
      for (const [preset, threads, recorded] of [
        ['conv', 1, 1],
        ['conv', 2, 2],
        ['conv', undefined, testBackend === 'wasm' && availableParallelism() >= 2 ? 2 : 1],
        ['denoising', 2, 1],
      ] as const) {
        client.send({
          type: 'start',
          dataset: { path: fashionImages, limit: 256 },
          config: { preset, ...(threads ? { threads } : {}), epochs: 1, batchSize: 32 },
          runsRoot: join(folder.path, `${testBackend}-${preset}-${threads ?? 'auto'}`),
        });
        const outcome = await log.waitFor('done', () => true, 60_000, false);
        assert.equal(outcome.status, 'completed', log.summary());
        const config = JSON.parse(readFileSync(join(outcome.runDir, 'config.json'), 'utf8')) as { config: { threads: unknown } };
        assert.equal(config.config.threads, recorded, `${preset}, threads ${threads ?? 'not set'}: config.json`);
        finalLosses.push(outcome.finalLoss!);
      }
      assertClose([finalLosses[1]], [finalLosses[0]], 'final loss, 2 threads vs 1');
      assertClose([finalLosses[2]], [finalLosses[0]], 'final loss, threads not set vs 1');
    } finally {
      client.dispose();
    }
  });

  for (const testBackend of TEST_BACKENDS) test(`${testBackend}: a gradient worker that cannot start costs the run nothing: it trains on one thread`, async () => {
    // The bundled trainer beside a worker script that throws as it loads.
    const broken = join(folder.path, `broken-dist-${testBackend}`);
    mkdirSync(broken, { recursive: true });
    cpSync(trainerScript, join(broken, 'trainer.js'));
    cpSync(join(trainerScript, '..', 'wasm'), join(broken, 'wasm'), { recursive: true });
    writeFileSync(join(broken, 'gradient-worker.js'), "throw new Error('this worker is broken');\n");
    let stderr = '';
    const { client, log, ready } = await startedClient({ preferredBackend: testBackend, trainerScript: join(broken, 'trainer.js'), onOutput: (stream, text) => void (stream === 'stderr' && (stderr += text)) });
    try {
      client.send({
        type: 'start',
        dataset: { path: fashionImages, limit: 128 },
        config: { preset: 'conv', threads: 2, epochs: 1, batchSize: 32 },
        runsRoot: join(folder.path, `broken-worker-${testBackend}`),
      });
      assert.equal(ready.backend, testBackend);
      const outcome = await log.waitFor('done', () => true, 60_000, false);
      assert.equal(outcome.status, 'completed', log.summary());
      assert.match(stderr, /gradient worker did not start.*training on one thread/);
      const config = JSON.parse(readFileSync(join(outcome.runDir, 'config.json'), 'utf8')) as { config: { threads: unknown } };
      assert.equal(config.config.threads, 1, 'config.json records the one thread the run trained on');
    } finally {
      client.dispose();
    }
  });
});
