import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runEventSchema, type LabState, type RunEvent } from '../../src/protocol/lab-protocol';
import { LAB_STRINGS } from '../../src/protocol/lab-strings';
import { inspectResultSchema, type ImageBatch, type InspectResult, type ModelGraph } from '../../src/protocol/trainer-protocol';
import { root } from './harness';

/**
 * The run messages of a run, as the host posts them to its webviews. The real recording
 * (test/fixtures/recorded-run.json, made by scripts/record-run.mjs from a real training run through
 * the host's own mapping of trainer messages) is used when present; every event is validated with
 * the protocol's own schema.
 */
export interface RunFixture {
  source: 'recorded' | 'synthetic';
  events: RunEvent[];
  dataset: InspectResult;
}

const RECORDING = join(root, 'test', 'fixtures', 'recorded-run.json');
/** A real sequence-model run on the Tang couplets (scripts/record-run.mjs text). */
export const TEXT_RECORDING = join(root, 'test', 'fixtures', 'recorded-text-run.json');

export function loadRunFixture(): RunFixture {
  if (existsSync(RECORDING)) return loadRecording(JSON.parse(readFileSync(RECORDING, 'utf8')) as unknown);
  return syntheticRun();
}

export function loadTextRunFixture(): RunFixture {
  return loadRecording(JSON.parse(readFileSync(TEXT_RECORDING, 'utf8')) as unknown, TEXT_RECORDING);
}

function loadRecording(json: unknown, RECORDING = join(root, 'test', 'fixtures', 'recorded-run.json')): RunFixture {
  const record = (typeof json === 'object' && json !== null ? json : {}) as { messages?: unknown; dataset?: unknown };
  if (!Array.isArray(record.messages)) throw new Error(`${RECORDING}: expected { messages: [{ type: 'run', event }, ...] }`);
  const events = record.messages.map((item: unknown, i) => {
    const message = item as { type?: unknown; event?: unknown } | null;
    if (message?.type !== 'run') throw new Error(`${RECORDING}: message ${i} is not a run message`);
    const parsed = runEventSchema.safeParse(message.event);
    if (!parsed.success) throw new Error(`${RECORDING}: message ${i} is not a valid run event: ${parsed.error.message}`);
    return parsed.data;
  });
  const dataset = inspectResultSchema.safeParse(record.dataset);
  if (!dataset.success) throw new Error(`${RECORDING}: dataset is not a valid inspect result: ${dataset.error.message}`);
  return { source: 'recorded', events, dataset: dataset.data };
}

/** The state the host sends after `ready`: strings, presets, config, dataset, graph; no run yet. */
export function initialState(fixture: RunFixture, overrides: Partial<LabState> = {}): LabState {
  const started = fixture.events.find((e): e is Extract<RunEvent, { type: 'started' }> => e.type === 'started');
  return {
    strings: { ...LAB_STRINGS },
    presets: ['dense', 'deep', 'conv', 'denoising', 'sparse', 'vae', 'sequence'],
    config: { preset: 'dense', epochs: 3, batchSize: 32, learningRate: 0.001, optimizer: 'adam', validationSplit: 0.1, seed: 42, activation: 'relu', loss: 'mse' },
    dataset: fixture.dataset,
    graph: started?.graph ?? denseGraph(),
    ...overrides,
  };
}

// ---------- a synthetic run in the recording's shape (used until the real recording exists) ----------

const SIDE = 28;

/** A ring whose radius depends on the sample; `blur` in [0, 1] smears it (a poor reconstruction). */
function ringImage(sample: number, blur: number): Uint8Array {
  const pixels = new Uint8Array(SIDE * SIDE);
  const radius = 5 + (sample % 7);
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const d = Math.abs(Math.hypot(x - 13.5, y - 13.5) - radius);
      const sharp = d < 1.5 ? 255 : 0;
      const soft = Math.max(0, 255 - d * 40);
      pixels[y * SIDE + x] = Math.round(sharp * (1 - blur) + soft * blur * 0.6);
    }
  }
  return pixels;
}

function batchOf(images: Uint8Array[]): ImageBatch {
  const all = new Uint8Array(images.length * SIDE * SIDE);
  images.forEach((image, i) => all.set(image, i * SIDE * SIDE));
  return { count: images.length, height: SIDE, width: SIDE, channels: 1, pixels: Buffer.from(all).toString('base64') };
}

export function syntheticDataset(name = 'fashion-mnist-slice', count = 1000, page = 0): InspectResult {
  const pageSize = 32;
  const samples = Array.from({ length: pageSize }, (_, i) => ringImage(page * pageSize + i, 0));
  const classNames = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
  return {
    summary: {
      path: `/workspace/samples/${name}`,
      name,
      format: 'idx',
      kind: 'image',
      count,
      sampleShape: [SIDE, SIDE],
      inputShape: [SIDE, SIDE, 1],
      dtype: 'uint8',
      classNames,
      classCounts: classNames.map((_, i) => 90 + i * 3),
    },
    stats: { min: 0, max: 1, mean: 0.286, std: 0.353, histogram: [420, 12, 9, 8, 10, 11, 14, 18, 22, 60] },
    page,
    pageSize,
    samples: batchOf(samples),
    sampleLabels: samples.map((_, i) => (page * pageSize + i) % 10),
  };
}

function denseGraph(): ModelGraph {
  return {
    preset: 'dense',
    totalParams: 218_192,
    codeShape: [null, 64],
    layers: [
      { name: 'input', className: 'InputLayer', outputShape: [null, 784], params: 0, group: 'input' },
      { name: 'encoder_dense_1', className: 'Dense', outputShape: [null, 128], params: 100_480, group: 'encoder' },
      { name: 'code', className: 'Dense', outputShape: [null, 64], params: 8_256, group: 'code' },
      { name: 'decoder_dense_1', className: 'Dense', outputShape: [null, 128], params: 8_320, group: 'decoder' },
      { name: 'decoder_output', className: 'Dense', outputShape: [null, 784], params: 101_136, group: 'decoder' },
    ],
  };
}

function syntheticRun(): RunFixture {
  const epochs = 3;
  const batches = 10;
  const preview = [3, 17, 42, 58, 77, 91, 120, 133];
  const config = { preset: 'dense', epochs, batchSize: 32, learningRate: 0.001, optimizer: 'adam', validationSplit: 0.1, seed: 42, activation: 'relu', loss: 'mse' };
  const dataset = syntheticDataset();
  const events: RunEvent[] = [
    { type: 'started', runDir: '/workspace/.autoencoder-lab/runs/20260101-120000-fashion-mnist-slice', graph: denseGraph(), config, backend: 'wasm' },
  ];
  let step = 0;
  for (let epoch = 1; epoch <= epochs; epoch++) {
    for (let batch = 1; batch <= batches; batch += 5) {
      const steps = Array.from({ length: 5 }, () => ++step);
      events.push({ type: 'batchLoss', steps, losses: steps.map((s) => 0.12 * Math.exp(-s / 12) + 0.02) });
      events.push({ type: 'progress', epoch, epochs, batch: batch + 4, batches, samplesPerSecond: 4800, etaSeconds: (epochs - epoch) * 2 + 1, elapsedSeconds: step * 0.07 });
    }
    const loss = 0.12 * Math.exp(-(epoch * batches) / 12) + 0.025;
    events.push({ type: 'epochEnd', metrics: { epoch, loss, val_loss: loss * 1.08, seconds: 0.7, samples_per_second: 4800 } });
    const blur = 1 - epoch / (epochs + 1);
    events.push({
      type: 'reconstructions',
      data: {
        epoch,
        indices: preview,
        inputs: batchOf(preview.map((i) => ringImage(i, 0))),
        outputs: batchOf(preview.map((i) => ringImage(i, blur))),
        errors: preview.map((_, i) => loss * (0.8 + i * 0.05)),
      },
    });
    const points: number[] = [];
    const labels: number[] = [];
    for (let i = 0; i < 200; i++) {
      const label = i % 10;
      points.push(Math.cos(label) * 3 + Math.sin(i) * 0.6 * blur + ((i * 7) % 11) / 20, Math.sin(label) * 3 + Math.cos(i * 3) * 0.6);
      labels.push(label);
    }
    events.push({ type: 'codes', data: { epoch, points, labels, classNames: dataset.summary.classNames } });
  }
  const worst = [5, 250, 611];
  events.push({
    type: 'anomalies',
    data: { indices: worst, errors: [0.21, 0.18, 0.15], inputs: batchOf(worst.map((i) => ringImage(i, 0))), outputs: batchOf(worst.map((i) => ringImage(i + 3, 0.7))) },
  });
  events.push({ type: 'done', runDir: '/workspace/.autoencoder-lab/runs/20260101-120000-fashion-mnist-slice', status: 'completed' });
  return { source: 'synthetic', events, dataset };
}
