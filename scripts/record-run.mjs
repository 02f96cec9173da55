// Records a real short training run for the webview tests: every message the trainer sends
// (ready, an inspect reply, started, progress, batchLoss, epochEnd, reconstructions, codes,
// anomalies, done), exactly as TrainerClient receives them, into test/fixtures/recorded-run.json.
// Usage: npm run build && node --import tsx scripts/record-run.mjs [text]
// `text` records a short sequence-model run on the Tang couplets sample into
// test/fixtures/recorded-text-run.json instead (the lab's text results).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TrainerClient } from '../src/trainer/trainer-client.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const textRun = process.argv[2] === 'text';
const output = join(root, 'test', 'fixtures', textRun ? 'recorded-text-run.json' : 'recorded-run.json');
const dataset = textRun
  ? { path: join(root, 'samples', 'poetry', 'tang.txt'), limit: 300 }
  : { path: join(root, 'samples', 'fashion-mnist', 'train-images-idx3-ubyte.gz'), limit: 1000 };
const config = textRun
  ? { preset: 'sequence', epochs: 3, batchSize: 32, rnnUnits: 64, codeSize: 32, embeddingSize: 32, learningRate: 0.01 }
  : { preset: 'dense', epochs: 2, batchSize: 32 };
const description = textRun
  ? 'Every message of a real 3-epoch sequence-model training on the Tang couplets sample (300 lines), as TrainerClient received it.'
  : 'Every message of a real 2-epoch dense training on the Fashion-MNIST sample (1,000 images), as TrainerClient received it.';
const runsRoot = mkdtempSync(join(tmpdir(), 'ael-record-'));
// Paths of this machine are replaced, so the fixture is the same wherever it is recorded.
const stablePath = (text) => text.split(runsRoot).join('/workspace/.autoencoder-lab/runs').split(root).join('/workspace');

const client = new TrainerClient({ trainerScript: join(root, 'dist', 'trainer.js'), preferredBackend: 'wasm' });
const events = [];
const timesMs = [];
const startedAt = Date.now();
client.onEvent((message) => {
  events.push(JSON.parse(stablePath(JSON.stringify(message))));
  timesMs.push(Date.now() - startedAt);
});
try {
  await client.start();
  await client.request({ type: 'inspect', dataset, page: 0, pageSize: 16 });
  const done = new Promise((resolve, reject) => {
    client.onEvent((message) => {
      if (message.type === 'done') resolve(message);
      if (message.type === 'error' && message.requestId === undefined) reject(new Error(message.message));
    });
    client.onExit((exit) => reject(new Error(`trainer exited: ${exit.code ?? exit.signal}\n${exit.stderrTail}`)));
  });
  client.send({ type: 'start', dataset, config, runsRoot, name: textRun ? 'tang-sequence' : 'fashion-dense', previewCount: 8, progressIntervalMs: 100 });
  await done;
} finally {
  client.dispose();
  rmSync(runsRoot, { recursive: true, force: true });
}

const recording = {
  description,
  recordedAt: new Date().toISOString(),
  start: { dataset: JSON.parse(stablePath(JSON.stringify(dataset))), config, previewCount: 8, progressIntervalMs: 100 },
  /** Milliseconds from the client's start to each message, in the order of `events`. */
  timesMs,
  events,
};
const text = JSON.stringify(recording) + '\n';
writeFileSync(output, text);
const counts = {};
for (const event of events) counts[event.type] = (counts[event.type] ?? 0) + 1;
console.log(`${output}: ${events.length} messages, ${Math.round(text.length / 1024)} KB`, counts);
