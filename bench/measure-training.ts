/**
 * One training measurement, run by bench/bench.ts in a child process of its own (one backend per
 * process: tfjs keeps its backend registry global). Trains with the trainer's own loop
 * (runTrainingLoop), the model zoo's model and optimizer and the data reader, on the first
 * `--samples` images, all of them trained on (no validation split: the same work as the PyTorch peer).
 *
 *   node --import tsx bench/measure-training.ts --backend wasm --model dense --samples 60000 --images <idx3.gz>
 *        [--mode epoch|ui-cost] [--batch-size 128] [--warmup-batches 0] [--repeats 2] [--training-threads 1|2]
 *
 * mode epoch: one timed epoch, cold by default as a user's first epoch is (--warmup-batches N trains N
 *   batches on a throwaway model first); prints one JSON line (EpochResult) with the epoch's figure and
 *   the steady-state one (the same epoch from its first STEADY_FROM share of batches on).
 * mode ui-cost: headless epochs (messages dropped) alternating with epochs whose every message goes
 *   through what the host does with it (JSON on the wire, parsed and validated, JSON again to the
 *   webview), all on the training thread, so this is an upper bound; prints UiCostResult.
 */
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { prepareThreadedWasm } from './experiments/wasm-threads-shim';
import { openDataset } from '../src/data/open-dataset';
import { buildModel } from '../src/models/build-model';
import { createOptimizer } from '../src/models/optimizer';
import { parseModelConfig } from '../src/models/parse-config';
import type { ModelConfig } from '../src/models/config';
import { parseFromTrainer, type FromTrainer } from '../src/protocol/trainer-protocol';
import { initBackend, type PreferredBackend } from '../src/trainer/backend';
import { DataParallelStep } from '../src/trainer/parallel/data-parallel-step';
import { TrainControl } from '../src/trainer/train-control';
import { runTrainingLoop } from '../src/trainer/train-loop';
import type { Dataset } from '../src/data/dataset';

export interface EpochResult {
  kind: 'epoch';
  backend: string;
  available: boolean;
  model: string;
  samples: number;
  batchSize: number;
  /** Wall time from the loop's start to its last batch (includes per-batch yields and messages). */
  seconds: number;
  /** CPU time of this process over the same span (all threads): unlike wall time, other processes barely move it. */
  cpuSeconds: number;
  samplesPerSecond: number;
  /** The same epoch from batch STEADY_FROM × batches on: the rate once kernels, heap and JIT are warm. */
  steadySamplesPerSecond: number;
  /** The loop's own figure: batch compute time only. */
  loopSamplesPerSecond: number;
  /** Sample-weighted mean training loss over the epoch (the epochEnd loss). */
  finalLoss: number;
  params: number;
  layers: string[];
  maxRssMb: number;
  /** XNNPACK threads (wasm). */
  threads: number;
  /** Data-parallel training threads (1: the plain loop). */
  trainingThreads: number;
  /** Size of the wasm memory at the end (it only grows: its high-water mark). */
  wasmHeapMb: number;
}

export interface UiCostResult {
  kind: 'ui-cost';
  backend: string;
  available: boolean;
  model: string;
  samples: number;
  headlessSeconds: number[];
  uiSeconds: number[];
  /** median(ui) / median(headless), wall time. */
  ratio: number;
  /** The same in CPU time (all the messages' work is on this process's CPU; robust on a busy machine). */
  headlessCpuSeconds: number[];
  uiCpuSeconds: number[];
  cpuRatio: number;
  /** Time spent serializing, parsing, validating and re-serializing the messages, per epoch, and as a share of the UI epochs' time. */
  messageMsPerEpoch: number;
  messageShare: number;
  messagesPerEpoch: number;
  /** JSON bytes from the trainer to the host, and from the host to a webview. */
  bytesPerEpoch: number;
  webviewBytesPerEpoch: number;
  messageCounts: Record<string, number>;
  messageMsByType: Record<string, number>;
}

export interface Unavailable {
  kind: 'unavailable';
  backend: string;
  available: false;
  activeBackend: string;
}

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm' },
    // The bundled gradient worker (data-parallel rows): the source cannot run as a worker without tsx.
    'worker-script': { type: 'string', default: join(__dirname, '..', 'dist', 'gradient-worker.js') },
    model: { type: 'string', default: 'dense' },
    samples: { type: 'string', default: '60000' },
    images: { type: 'string' },
    mode: { type: 'string', default: 'epoch' },
    'batch-size': { type: 'string', default: '128' },
    'warmup-batches': { type: 'string', default: '0' },
    repeats: { type: 'string', default: '2' },
    /** Experiment: tfjs-backend-wasm's threaded build with this many threads (bench/experiments/wasm-threads-shim.ts). */
    'wasm-threads': { type: 'string', default: '1' },
    /** Training threads: 2 = the trainer's data-parallel step (src/trainer/parallel/), as `threads: 2` in a config. */
    'training-threads': { type: 'string', default: '1' },
  },
});

/** The steady-state rate is taken from this share of an epoch's batches on. */
const STEADY_FROM = 0.2;

async function main(): Promise<void> {
  if (!values.images) throw new Error('--images <train-images-idx3-ubyte.gz> is required');
  const requested = values.backend as PreferredBackend;
  const threads = Number(values['wasm-threads']);
  const restore =
    threads > 1 && requested === 'wasm'
      ? prepareThreadedWasm(threads, join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '../wasm-out/tfjs-backend-wasm-threaded-simd.js'))
      : undefined;
  const { tf, name } = await initBackend(requested);
  restore?.();
  if (name !== requested) {
    print({ kind: 'unavailable', backend: requested, available: false, activeBackend: name } satisfies Unavailable);
    return;
  }
  const samples = Number(values.samples);
  const batchSize = Number(values['batch-size']);
  const dataset = await openDataset({ path: values.images, limit: samples });
  // The peers' objective and step size (MSE, Adam 1e-3), not the product's defaults (conv trains with
  // BCE and images at 2e-3), so that both sides do the same work and the losses compare.
  const config = parseModelConfig(
    { preset: values.model, batchSize, epochs: 1, validationSplit: 0, loss: 'mse', learningRate: 0.001 },
    { kind: dataset.kind, inputShape: [...dataset.inputShape] },
  );
  const all = Int32Array.from({ length: dataset.count }, (_, i) => i);
  const trainingThreads = Number(values['training-threads']);

  /** One epoch over `indices` on a fresh model; returns wall seconds to the last batch and the epoch metrics. */
  const epoch = async (indices: Int32Array, seed: number, emit: (message: FromTrainer) => void) => {
    const built = buildModel({ ...config, seed } as ModelConfig, dataset.inputShape, dataset.kind);
    const optimizer = createOptimizer(config);
    const parallel = trainingThreads > 1 ? await DataParallelStep.start({ tf, model: built, optimizer, backend: name, workerScript: values['worker-script'] }) : undefined;
    let lastBatchAt = 0;
    let cpuAtLastBatch = { user: 0, system: 0 };
    const batches = Math.ceil(indices.length / batchSize);
    let steadyFrom: { batch: number; at: number } | undefined;
    let loss = NaN;
    let loopRate = 0;
    const started = performance.now();
    const cpuStart = process.cpuUsage();
    await runTrainingLoop({
      tf,
      dataset: dataset as Dataset,
      model: built,
      optimizer,
      trainIndices: indices,
      validationIndices: new Int32Array(0),
      batchSize,
      epochs: 1,
      seed,
      control: new TrainControl(),
      emit: (message) => {
        // The loop always reports the last batch of an epoch: the end of the timed training.
        if (message.type === 'progress' && message.batch === message.batches) {
          lastBatchAt = performance.now();
          cpuAtLastBatch = process.cpuUsage(cpuStart);
        }
        if (message.type === 'progress' && !steadyFrom && message.batch >= STEADY_FROM * batches && message.batch < message.batches) steadyFrom = { batch: message.batch, at: performance.now() };
        if (message.type === 'epochEnd') {
          loss = message.metrics.loss;
          loopRate = message.metrics.samples_per_second;
        }
        emit(message);
      },
      step: parallel ? (inputs, count) => parallel.run(inputs, count) : undefined,
    });
    await parallel?.dispose();
    const ended = performance.now();
    const cpuTotal = process.cpuUsage(cpuStart);
    const params = built.trainableVariables.reduce((sum, v) => sum + v.size, 0);
    const layers = built.graph.layers.map((layer) => `${layer.className}${layer.outputShape.slice(1).join('x') ? ' ' + layer.outputShape.slice(1).join('x') : ''}`);
    optimizer.dispose();
    built.dispose();
    const cpuSeconds = (cpuAtLastBatch.user + cpuAtLastBatch.system) / 1e6;
    const steadySamples = steadyFrom ? indices.length - steadyFrom.batch * batchSize : 0;
    return {
      seconds: (lastBatchAt - started) / 1000,
      steadySamplesPerSecond: steadyFrom ? steadySamples / ((lastBatchAt - steadyFrom.at) / 1000) : NaN,
      cpuSeconds,
      totalSeconds: (ended - started) / 1000,
      totalCpuSeconds: (cpuTotal.user + cpuTotal.system) / 1e6, loss, loopRate, params, layers };
  };

  // Warm-up on a throwaway model: kernels, wasm memory growth, JIT.
  const warmupBatches = Number(values['warmup-batches']);
  if (warmupBatches > 0) await epoch(all.subarray(0, Math.min(all.length, warmupBatches * batchSize)), config.seed + 1, () => {});

  if (values.mode === 'ui-cost') {
    const counts: Record<string, number> = {};
    let bytes = 0;
    let webviewBytes = 0;
    let messages = 0;
    let listenerMs = 0;
    const msByType: Record<string, number> = {};
    const hostLike = (message: FromTrainer) => {
      const t0 = performance.now();
      // What the trainer's process.send does, then the host: parse and validate, post to the webview.
      const wire = JSON.stringify(message);
      const received = parseFromTrainer(JSON.parse(wire));
      const toWebview = JSON.stringify({ type: 'trainer', message: received });
      bytes += wire.length;
      webviewBytes += toWebview.length;
      messages++;
      counts[message.type] = (counts[message.type] ?? 0) + 1;
      const ms = performance.now() - t0;
      listenerMs += ms;
      msByType[message.type] = (msByType[message.type] ?? 0) + ms;
    };
    const headless: number[] = [];
    const ui: number[] = [];
    const headlessCpu: number[] = [];
    const uiCpu: number[] = [];
    const repeats = Number(values.repeats);
    for (let r = 0; r < repeats; r++) {
      const plain = await epoch(all, config.seed, () => {});
      headless.push(plain.totalSeconds);
      headlessCpu.push(plain.totalCpuSeconds);
      const withUi = await epoch(all, config.seed, hostLike);
      ui.push(withUi.totalSeconds);
      uiCpu.push(withUi.totalCpuSeconds);
    }
    print({
      kind: 'ui-cost',
      backend: name,
      available: true,
      model: config.preset,
      samples: dataset.count,
      headlessSeconds: headless,
      uiSeconds: ui,
      ratio: median(ui) / median(headless),
      headlessCpuSeconds: headlessCpu,
      uiCpuSeconds: uiCpu,
      cpuRatio: median(uiCpu) / median(headlessCpu),
      messageMsPerEpoch: listenerMs / repeats,
      messageShare: listenerMs / 1000 / ui.reduce((a, b) => a + b, 0),
      messagesPerEpoch: messages / repeats,
      bytesPerEpoch: bytes / repeats,
      webviewBytesPerEpoch: webviewBytes / repeats,
      messageMsByType: Object.fromEntries(Object.entries(msByType).map(([k, v]) => [k, v / repeats])),
      messageCounts: Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, v / repeats])),
    } satisfies UiCostResult);
    return;
  }

  const result = await epoch(all, config.seed, () => {});
  print({
    kind: 'epoch',
    backend: name,
    available: true,
    model: config.preset,
    samples: dataset.count,
    batchSize,
    seconds: result.seconds,
    cpuSeconds: result.cpuSeconds,
    samplesPerSecond: dataset.count / result.seconds,
    steadySamplesPerSecond: result.steadySamplesPerSecond,
    loopSamplesPerSecond: result.loopRate,
    finalLoss: result.loss,
    params: result.params,
    layers: result.layers,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    threads: name === 'wasm' ? getThreadsCount() : 1,
    trainingThreads,
    wasmHeapMb: name === 'wasm' ? (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length / 1048576 : 0,
  } satisfies EpochResult);
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function print(result: EpochResult | UiCostResult | Unavailable): void {
  process.stdout.write('BENCH_RESULT ' + JSON.stringify(result) + '\n');
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`measure-training: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
