// Records a real short training run for the webview tests, at the host -> webview boundary: every
// trainer message of the run, exactly as TrainerClient receives it, turned into the `run` messages
// the extension host posts to its webviews (runEventOf, the host's own mapping), plus the inspect
// result the host puts in the lab's state, into test/fixtures/recorded-run.json.
// Usage: npm run build && node --import tsx scripts/record-run.mjs [text]
// `text` records a short sequence-model run on the Tang couplets sample into
// test/fixtures/recorded-text-run.json instead (the lab's text results).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runEventOf } from '../src/protocol/run-state.ts';
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
  ? 'The run messages the extension host posts to its webviews during a real 3-epoch sequence-model training on the Tang couplets sample (300 lines).'
  : 'The run messages the extension host posts to its webviews during a real 2-epoch dense training on the Fashion-MNIST sample (1,000 images).';
const runsRoot = mkdtempSync(join(tmpdir(), 'ael-record-'));
// Paths of this machine are replaced, so the fixture is the same wherever it is recorded.
const stablePath = (value) => JSON.parse(JSON.stringify(value).split(runsRoot).join('/workspace/.autoencoder-lab/runs').split(root).join('/workspace'));

const client = new TrainerClient({ trainerScript: join(root, 'dist', 'trainer.js'), preferredBackend: 'wasm' });
const messages = [];
const timesMs = [];
const startedAt = Date.now();
let inspected;
try {
  const ready = await client.start();
  client.onEvent((message) => {
    const event = runEventOf(message, ready.backend);
    if (!event) return;
    messages.push(stablePath({ type: 'run', event }));
    timesMs.push(Date.now() - startedAt);
  });
  inspected = (await client.request({ type: 'inspect', dataset, page: 0, pageSize: 16 })).result;
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
  start: { dataset: stablePath(dataset), config, previewCount: 8, progressIntervalMs: 100 },
  /** The inspect result the host sends as the lab state's `dataset`. */
  dataset: stablePath(inspected),
  /** Milliseconds from the client's start to each message, in the order of `messages`. */
  timesMs,
  messages,
};
const text = JSON.stringify(recording) + '\n';
writeFileSync(output, text);
const counts = {};
for (const { event } of messages) counts[event.type] = (counts[event.type] ?? 0) + 1;
console.log(`${output}: ${messages.length} messages, ${Math.round(text.length / 1024)} KB`, counts);
