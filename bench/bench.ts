/**
 * `npm run bench`: the training-speed figures of issue 4, measured side by side in one run.
 *
 * Data: Fashion-MNIST's 60,000 training images from ../shared/datasets/fashion-mnist when present,
 * else the repository's sample slice. Each training figure runs in a child process of its own
 * (bench/measure-training.ts) with the trainer's own loop, data reader, model and optimizer, on wasm and,
 * where scripts/tfjs-node.mjs built it, tensorflow. The peers (bench/pytorch_peer.py with PyTorch 2,
 * bench/keras_peer.py with Keras 3, from a venv the bench makes: bench/peer-venv.ts; at 1 and 2 threads)
 * train the same network with the same initialization scheme, optimizer, batch size and data in the
 * same run. Ratios are ours / the best peer, each the best of the runs made (other processes only ever
 * slow a run down).
 *
 * Text (issue 8): the sequence preset against a PyTorch peer of the same network (bench/text_peer.py,
 * torch 2.13 CPU in a virtual environment the bench creates under ../.cache/venv-torch), each trained
 * for --text-seconds (120) on the same lines and split and scored on every held-out line by greedy
 * decoding: the 104,000 English words of ../shared/datasets/words when present (else the sample), and
 * the Tang couplets sample.
 *
 *   npm run bench [-- --quick] [-- --skip cpu,peer,memory,ui,conv,parallel,threads,first-loss,extension,training,text] [-- --samples N]
 *                 [-- --wasm-threads 2 (experiment: tfjs-backend-wasm's threaded build)]
 *                 [-- --text-threads 1 (our text runs, one per thread count; default 1: two threads were measured no faster, bench/README.md)]
 *                 (our text runs go on wasm and, where tfjs-node is built, on tensorflow too)
 *
 * Prints a table (figure, ours, peer, ratio, target, met?) and writes bench/results.json.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { activationFigures, bundleFigures, vsixFigures } from './extension-figures';
import type { EpochResult, Unavailable, UiCostResult } from './measure-training';
import { ensurePeerVenv } from './peer-venv';
import { measureFirstLoss, measurePeakMemory, type FirstLossResult, type PeakMemoryResult } from './trainer-figures';

const root = join(__dirname, '..');
const { values: options } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    skip: { type: 'string', default: '' },
    python: { type: 'string', default: '/usr/bin/python3' },
    /** Fewer samples for the wasm/peer epochs (a busy machine); the figures say how many were used. */
    samples: { type: 'string' },
    'wasm-threads': { type: 'string', default: '1' },
    'text-seconds': { type: 'string' },
    /** The sequence preset's config for the text figures, as JSON on top of its defaults. */
    'text-config': { type: 'string', default: '{}' },
    /** Our text runs, one per thread count (2: data-parallel, src/trainer/parallel/), against the same peer run. */
    'text-threads': { type: 'string', default: '1' },
  },
});
const skip = new Set(options.skip.split(',').filter(Boolean));
const quick = options.quick;

// The native backend where scripts/tfjs-node.mjs built it (never from node_modules): tensorflow rows
// are then measured next to wasm's against the same PyTorch runs.
const builtTfjsNode = join(root, '.cache/tfjs-node');
if (!process.env.AUTOENCODER_LAB_TFJS_NODE && existsSync(join(builtTfjsNode, 'node_modules/@tensorflow/tfjs-node/lib'))) process.env.AUTOENCODER_LAB_TFJS_NODE = builtTfjsNode;
const nativeAtHand = Boolean(process.env.AUTOENCODER_LAB_TFJS_NODE);

const sharedImages = join(root, '../shared/datasets/fashion-mnist/train-images-idx3-ubyte.gz');
const sampleImages = join(root, 'samples/fashion-mnist/train-images-idx3-ubyte.gz');
const images = existsSync(sharedImages) ? sharedImages : sampleImages;
/**
 * A private copy of the built trainer (dist/trainer.js with its wasm binaries beside it) and of the
 * extension bundle: a build started meanwhile (it empties dist/) must not pull them away mid-bench.
 */
const distCopy = mkdtempSync(join(tmpdir(), 'ae-bench-dist-'));
const trainerScript = join(distCopy, 'trainer.js');
const extensionScript = join(distCopy, 'extension.js');
function copyDist(): void {
  for (const file of ['trainer.js', 'gradient-worker.js', 'extension.js', 'wasm']) {
    const from = join(root, 'dist', file);
    if (!existsSync(from)) throw new Error(`${from} is missing: run npm run build first (npm run bench does)`);
    cpSync(from, join(distCopy, file), { recursive: true });
  }
}

/** Sample counts: full Fashion-MNIST for wasm and the peer; cpu gets fewer (it is 5-50x slower). */
const plan = quick
  ? { dense: 6000, conv: 1280, cpuDense: 2000, cpuConv: 128, ui: 4000, memoryLimit: 6000 as number | undefined, denseRepeats: 1 }
  : { dense: 60000, conv: 60000, cpuDense: 20000, cpuConv: 256, ui: 20000, memoryLimit: undefined as number | undefined, denseRepeats: 2 };
if (options.samples) {
  const n = Number(options.samples);
  Object.assign(plan, { dense: n, conv: n, ui: Math.min(plan.ui, n) });
}

interface PeerResult {
  model: string;
  samples: number;
  seconds: number;
  cpu_seconds: number;
  samples_per_second: number;
  final_loss: number;
  threads: number;
  torch?: string;
  keras?: string;
  /** Who ran it and on how many threads, e.g. "Keras 3.15.0, 2 threads". */
  label?: string;
  /** BLAS library torch ran on: mkl, openblas, blis, reference (Debian's libblas3, ~10x slower) or unknown. */
  blas: string;
}

function log(text: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${text}\n`);
}

/** Runs a child and returns the JSON of its `BENCH_RESULT` line. */
function runChild<T>(command: string, args: string[], timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = stdout.split('\n').find((l) => l.startsWith('BENCH_RESULT ') || l.startsWith('{'));
      if (code === 0 && line) return resolve(JSON.parse(line.replace(/^BENCH_RESULT /, '')) as T);
      reject(new Error(`${command} ${args.join(' ')} failed (code ${code}, signal ${signal}): ${stderr.trim().slice(-800)}`));
    });
  });
}

function ours(backend: string, model: string, samples: number, mode = 'epoch', threads = options['wasm-threads'], trainingThreads = 1): Promise<EpochResult | Unavailable | UiCostResult> {
  const args = ['--import', 'tsx', join(root, 'bench/measure-training.ts'), '--backend', backend, '--model', model, '--samples', String(samples), '--images', images, '--mode', mode];
  if (backend === 'wasm') args.push('--wasm-threads', threads);
  if (trainingThreads > 1) args.push('--training-threads', String(trainingThreads), '--worker-script', join(distCopy, 'gradient-worker.js'));
  // The cpu backend is slow enough that one warm-up batch is plenty.
  if (backend === 'cpu') args.push('--warmup-batches', '1');
  return runChild(process.execPath, args, 30 * 60_000);
}

async function epochOf(backend: string, model: string, samples: number, threads?: string, trainingThreads = 1): Promise<EpochResult | Unavailable> {
  log(`ours: ${backend} ${model}, ${samples} samples${threads ? `, ${threads} wasm threads` : ''}${trainingThreads > 1 ? `, data-parallel on ${trainingThreads} threads` : ''}`);
  const result = (await ours(backend, model, samples, 'epoch', threads, trainingThreads)) as EpochResult | Unavailable;
  if (result.kind === 'epoch') log(`  ${Math.round(result.samplesPerSecond)} samples/s (CPU ${result.cpuSeconds.toFixed(1)} s, ${result.threads} XNNPACK thread(s)${result.trainingThreads > 1 ? `, data-parallel on ${result.trainingThreads}` : ''}), loss ${result.finalLoss.toFixed(5)}`);
  else log(`  ${backend} is not available here (active: ${result.activeBackend})`);
  return result;
}

/**
 * The peers: PyTorch 2 (CPU wheel) and Keras 3 (tensorflow-cpu) from a venv the bench creates
 * (bench/peer-venv.ts), each at 1 and 2 threads, the fastest taken; Debian's python3-torch (--python)
 * where the venv cannot be made.
 */
interface PeerRunner {
  label: string;
  python: string;
  script: string;
}
const peerVenv = skip.has('peer') ? { reason: 'skipped' } : ensurePeerVenv(root, log);
const peerRunners: PeerRunner[] = peerVenv.python
  ? [
      { label: `PyTorch ${peerVenv.versions?.torch ?? '2'}`, python: peerVenv.python, script: 'bench/pytorch_peer.py' },
      { label: `Keras ${peerVenv.versions?.keras ?? '3'}`, python: peerVenv.python, script: 'bench/keras_peer.py' },
    ]
  : !skip.has('peer') && spawnSync(options.python, ['-c', 'import torch'], { stdio: 'ignore', timeout: 120_000 }).status === 0
    ? [{ label: 'PyTorch (Debian)', python: options.python, script: 'bench/pytorch_peer.py' }]
    : [];
const peerAvailable = peerRunners.length > 0;
/** Every peer run, by model: the table takes the best, results.json keeps them all. */
const peerRuns: Record<string, PeerResult[]> = {};

/** The BLAS the peer ran on, printed with the results: ratios against a reference-BLAS torch mean little. */
let peerBlas = 'n/a';

/** Every peer at `threads` (default: 1 and 2); the fastest run, labelled with who and how many threads. */
async function peer(model: 'dense' | 'conv', samples: number, threads?: number): Promise<PeerResult | undefined> {
  const runs: PeerResult[] = [];
  for (const runner of peerRunners) {
    for (const count of threads ? [threads] : [1, 2]) {
      log(`${runner.label}: ${model}, ${samples} samples, ${count} thread(s)`);
      const args = [join(root, runner.script), '--images', images, '--model', model, '--samples', String(samples), '--threads', String(count)];
      // The same architecture as the zoo's defaults (checked against our layer list in the table notes).
      if (model === 'dense') args.push('--hidden', '128', '--code-size', '64');
      else args.push('--filters', '16,8,8');
      try {
        const result = await runChild<PeerResult>(runner.python, args, 30 * 60_000);
        result.label = `${runner.label}, ${count} thread${count > 1 ? 's' : ''}`;
        log(`  ${Math.round(result.samples_per_second)} samples/s (CPU ${result.cpu_seconds.toFixed(1)} s), loss ${result.final_loss.toFixed(5)}, BLAS ${result.blas}`);
        if (runner.label.startsWith('PyTorch')) peerBlas = result.blas;
        if (result.blas === 'reference') {
          log('  WARNING: PyTorch ran on the reference BLAS (libblas3): an unfair, ~10x slow peer. apt-get install -y libopenblas0-pthread');
        }
        runs.push(result);
      } catch (error) {
        log(`  ${runner.label} failed: ${(error as Error).message.split('\n')[0]}`);
      }
    }
  }
  (peerRuns[model] ??= []).push(...runs);
  return best(runs, (r) => r.samples_per_second);
}

function best<T>(results: T[], rate: (r: T) => number): T | undefined {
  return results.reduce<T | undefined>((a, b) => (a === undefined || rate(b) > rate(a) ? b : a), undefined);
}

interface Row {
  figure: string;
  ours: string;
  peer: string;
  ratio: string;
  target: string;
  met: boolean | null;
}

const rows: Row[] = [];
const results: Record<string, unknown> = {};
const fmt = (n: number | undefined, digits = 0) => (n === undefined || !Number.isFinite(n) ? 'n/a' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));

async function trainingFigures(): Promise<void> {
  // dense on wasm and PyTorch, interleaved so that both see the same machine.
  const denseOurs: EpochResult[] = [];
  const densePeer: PeerResult[] = [];
  for (let r = 0; r < plan.denseRepeats; r++) {
    const mine = await epochOf('wasm', 'dense', plan.dense);
    if (mine.kind === 'epoch') denseOurs.push(mine);
    const theirs = await peer('dense', plan.dense);
    if (theirs) densePeer.push(theirs);
  }
  // With the venv's peers the 1-thread runs are already among those taken; Debian's torch gets a row.
  const peerOneThread = quick || peerVenv.python ? undefined : await peer('dense', plan.dense, 1);
  results.dense = { ours: denseOurs, peer: densePeer, peerOneThread };
  speedRows('dense', 'wasm', denseOurs, densePeer, 0.5);
  if (nativeAtHand) {
    const native = await epochOf('tensorflow', 'dense', plan.dense);
    results.denseTensorflow = native;
    speedRows('dense', 'tensorflow', native.kind === 'epoch' ? [native] : [], kerasRuns('dense', densePeer), 1.0);
  }
  if (peerOneThread) {
    const mine = best(denseOurs, (r) => r.samplesPerSecond);
    rows.push({
      figure: 'dense samples/s vs PyTorch 1 thread (info)',
      ours: fmt(mine?.samplesPerSecond),
      peer: fmt(peerOneThread.samples_per_second),
      ratio: mine ? `${(mine.samplesPerSecond / peerOneThread.samples_per_second).toFixed(2)}×` : 'n/a',
      target: '',
      met: null,
    });
  }

  if (!skip.has('conv')) {
    const mine = await epochOf('wasm', 'conv', plan.conv);
    const theirs = await peer('conv', plan.conv);
    results.conv = { ours: mine, peer: theirs };
    speedRows('conv', 'wasm', mine.kind === 'epoch' ? [mine] : [], theirs ? [theirs] : [], 0.5);
    if (nativeAtHand) {
      const native = await epochOf('tensorflow', 'conv', plan.conv);
      results.convTensorflow = native;
      speedRows('conv', 'tensorflow', native.kind === 'epoch' ? [native] : [], kerasRuns('conv', theirs ? [theirs] : []), 1.0);
    }
  }

  // The trainer's data-parallel step (config `threads: 2`, CLI --threads 2; conv's automatic default on wasm), against the same run's PyTorch.
  if (!skip.has('parallel')) {
    const parallel: Record<string, EpochResult | Unavailable> = {};
    const convRun = results.conv as { ours?: EpochResult | Unavailable; peer?: PeerResult } | undefined;
    const convOurs = convRun?.ours?.kind === 'epoch' ? convRun.ours : undefined;
    for (const [model, samples, peerRuns, oneThread, target] of [
      ['dense', plan.dense, densePeer, best(denseOurs, (r) => r.samplesPerSecond), 0.5],
      ['conv', plan.conv, convRun?.peer ? [convRun.peer] : [], convOurs, 0.5],
    ] as const) {
      if (model === 'conv' && skip.has('conv')) continue;
      const mine = await epochOf('wasm', model, samples, undefined, 2);
      parallel[model] = mine;
      const theirs = best([...peerRuns], (r) => r.samples_per_second);
      if (mine.kind !== 'epoch') continue;
      const ratio = theirs ? mine.samplesPerSecond / theirs.samples_per_second : undefined;
      rows.push({
        figure: `${model} samples/s, wasm data-parallel on 2 threads (threads: 2), batch 128 (${samples} samples)`,
        ours: fmt(mine.samplesPerSecond),
        peer: theirs ? fmt(theirs.samples_per_second) : 'no torch',
        ratio: ratio === undefined ? 'n/a' : `${ratio.toFixed(2)}×`,
        target: `≥ ${target.toFixed(1)}×`,
        met: ratio === undefined ? null : ratio >= target,
      });
      rows.push({
        figure: `${model} loss after one epoch, data-parallel vs one thread (same work; info)`,
        ours: mine.finalLoss.toFixed(5),
        peer: oneThread ? `${oneThread.finalLoss.toFixed(5)} (1 thread)` : '',
        ratio: oneThread ? `${fmt(mine.samplesPerSecond / oneThread.samplesPerSecond, 2)}× speed-up` : '',
        target: '',
        met: null,
      });
    }
    results.dataParallel = parallel;
  }

  // Experiment: tfjs-backend-wasm's threaded build (bench/experiments/wasm-threads-shim.ts), not what the trainer runs.
  if (!skip.has('threads') && options['wasm-threads'] === '1') {
    const experiments: Record<string, EpochResult | Unavailable> = {};
    for (const [model, samples, peerRuns] of [
      ['dense', plan.dense, densePeer],
      ['conv', Math.min(plan.conv, 20000), (results.conv as { peer?: PeerResult } | undefined)?.peer ? [(results.conv as { peer: PeerResult }).peer] : []],
    ] as const) {
      if (model === 'conv' && skip.has('conv')) continue;
      const threaded = await epochOf('wasm', model, samples, '2');
      experiments[model] = threaded;
      const theirs = best([...peerRuns], (r) => r.samples_per_second);
      if (threaded.kind !== 'epoch') continue;
      rows.push({
        figure: `${model} samples/s, wasm threaded build, ${threaded.threads} threads (experiment, ${samples} samples)`,
        ours: fmt(threaded.samplesPerSecond),
        peer: theirs ? fmt(theirs.samples_per_second) : 'no torch',
        ratio: theirs ? `${(threaded.samplesPerSecond / theirs.samples_per_second).toFixed(2)}×` : 'n/a',
        target: '',
        met: null,
      });
    }
    results.threadedExperiment = experiments;
  }

  if (!skip.has('cpu')) {
    const denseCpu = await epochOf('cpu', 'dense', plan.cpuDense);
    const convCpu = skip.has('conv') ? undefined : await epochOf('cpu', 'conv', plan.cpuConv);
    results.cpu = { dense: denseCpu, conv: convCpu };
    const densePeerRate = best(densePeer, (r) => r.samples_per_second)?.samples_per_second;
    const convPeerRate = (results.conv as { peer?: PeerResult } | undefined)?.peer?.samples_per_second;
    for (const [model, result, peerRate] of [
      ['dense', denseCpu, densePeerRate],
      ['conv', convCpu, convPeerRate],
    ] as const) {
      if (!result || result.kind !== 'epoch') continue;
      rows.push({
        figure: `${model} samples/s, cpu backend (${result.samples} samples; info)`,
        ours: fmt(result.samplesPerSecond, result.samplesPerSecond < 100 ? 1 : 0),
        peer: fmt(peerRate),
        ratio: peerRate ? `${(result.samplesPerSecond / peerRate).toFixed(3)}×` : 'n/a',
        target: '',
        met: null,
      });
    }
  }

  if (!nativeAtHand) {
    rows.push({ figure: 'tensorflow (tfjs-node) backend', ours: 'not built here (node scripts/tfjs-node.mjs install)', peer: '', ratio: '', target: '', met: null });
  }
}

/** Issue 10 judges the tensorflow backend against Keras 3 (the same engine underneath); the best peer where no Keras ran. */
function kerasRuns(model: string, fallback: PeerResult[]): PeerResult[] {
  const keras = (peerRuns[model] ?? []).filter((run) => run.label?.startsWith('Keras'));
  return keras.length ? keras : fallback;
}

function speedRows(model: string, backend: string, mine: EpochResult[], theirs: PeerResult[], target: number): void {
  const a = best(mine, (r) => r.samplesPerSecond);
  const b = best(theirs, (r) => r.samples_per_second);
  const ratio = a && b ? a.samplesPerSecond / b.samples_per_second : undefined;
  rows.push({
    figure: `${model} samples/s, ${backend}${a && a.threads > 1 ? ` ${a.threads} threads` : ''}, first epoch (cold, as a user sees it), batch 128 (${a?.samples ?? '?'} samples)`,
    ours: fmt(a?.samplesPerSecond),
    peer: b ? `${fmt(b.samples_per_second)} (${b.label})` : 'no peer',
    ratio: ratio === undefined ? 'n/a' : `${ratio.toFixed(2)}×`,
    target: `≥ ${target.toFixed(1)}×`,
    met: ratio === undefined ? null : ratio >= target,
  });
  // The same epoch once warm (from its first fifth on): what the warm-up costs is the gap to the row above.
  const steady = best(mine, (r) => r.steadySamplesPerSecond);
  if (steady && Number.isFinite(steady.steadySamplesPerSecond)) {
    rows.push({
      figure: `${model} samples/s, ${backend}, steady state (the same epoch from 20% on; info)`,
      ours: fmt(steady.steadySamplesPerSecond),
      peer: b ? fmt(b.samples_per_second) : 'no peer',
      ratio: b ? `${(steady.steadySamplesPerSecond / b.samples_per_second).toFixed(2)}×` : 'n/a',
      target: '',
      met: null,
    });
  }
  // CPU time for the same epoch: what the work costs, whatever else the machine is doing.
  if (a && b) {
    rows.push({
      figure: `${model} CPU seconds for the epoch (all threads; info)`,
      ours: `${fmt(a.cpuSeconds, 1)} s (${a.threads} thread${a.threads > 1 ? 's' : ''})`,
      peer: `${fmt(b.cpu_seconds, 1)} s (${b.threads} threads)`,
      ratio: `${(b.cpu_seconds / a.cpuSeconds).toFixed(2)}× less`,
      target: '',
      met: null,
    });
  }
  // Loss after one epoch: same model, init scheme, optimizer, lr, data; the first run of each.
  const lossOurs = mine[0]?.finalLoss;
  const lossPeer = theirs[0]?.final_loss;
  const diff = lossOurs !== undefined && lossPeer !== undefined ? (lossOurs - lossPeer) / lossPeer : undefined;
  rows.push({
    figure: `${model} loss after one epoch (MSE)`,
    ours: fmt(lossOurs, 5),
    peer: fmt(lossPeer, 5),
    ratio: diff === undefined ? 'n/a' : `${diff >= 0 ? '+' : ''}${(diff * 100).toFixed(1)}%`,
    target: 'within 5%',
    met: diff === undefined ? null : Math.abs(diff) <= 0.05,
  });
}

async function uiCost(): Promise<void> {
  log(`UI message cost: wasm dense, ${plan.ui} samples, headless vs host-like listener`);
  const result = (await ours('wasm', 'dense', plan.ui, 'ui-cost')) as UiCostResult;
  results.uiCost = result;
  rows.push({
    figure: `training with UI messages vs headless (dense, ${result.samples} samples)`,
    ours: `${result.messagesPerEpoch.toFixed(0)} msgs, ${(result.bytesPerEpoch / 1024).toFixed(0)} KiB, ${result.messageMsPerEpoch.toFixed(1)} ms per epoch`,
    peer: '',
    ratio: `+${(result.messageShare * 100).toFixed(2)}% (A/B: ${result.ratio.toFixed(2)}× wall, ${result.cpuRatio.toFixed(2)}× CPU)`,
    target: '≤ +5%',
    met: result.messageShare <= 0.05,
  });
}

/** The trainer's backends here: wasm (every user's default) and tensorflow where tfjs-node is built. */
function trainerBackends(): string[] {
  return process.env.AUTOENCODER_LAB_TFJS_NODE ? ['wasm', 'tensorflow'] : ['wasm'];
}

async function firstLoss(): Promise<void> {
  const figures: FirstLossResult[] = [];
  for (const backend of trainerBackends()) {
    for (const model of ['dense', 'conv']) {
      log(`first loss point: cold trainer, ${model}, ${backend}, sample data`);
      const result = await measureFirstLoss(trainerScript, sampleImages, model, backend);
      figures.push(result);
      rows.push({
        figure: `Train → first loss point (${model}, ${result.backend}, sample data, cold trainer)`,
        ours: `${fmt(result.firstLossMs)} ms (ready ${fmt(result.readyMs)})`,
        peer: '',
        ratio: '',
        target: '< 3,000 ms',
        met: result.firstLossMs < 3000,
      });
    }
  }
  results.firstLoss = figures;
}

/**
 * One epoch of a real run per backend and model on one training thread (the target), and on wasm the
 * same on two threads beside it (the issue's "print it for two"; conv's automatic default).
 */
async function peakMemory(): Promise<void> {
  const figures: PeakMemoryResult[] = [];
  const cases: { backend: string; model: string; threads: 1 | 2 }[] = [];
  for (const backend of trainerBackends()) {
    for (const model of skip.has('conv') ? ['dense'] : ['dense', 'conv']) {
      cases.push({ backend, model, threads: 1 });
      if (backend === 'wasm') cases.push({ backend, model, threads: 2 });
    }
  }
  for (const { backend, model, threads } of cases) {
    const how = `${model}, ${backend}${threads > 1 ? `, ${threads} training threads` : ''}`;
    log(`trainer peak memory: ${how}, one epoch of a real run${plan.memoryLimit ? ` on ${plan.memoryLimit} samples` : ''}`);
    const result = await measurePeakMemory(trainerScript, images, model, { backend, limit: plan.memoryLimit, threads });
    log(`  ${result.peakRssMb.toFixed(0)} MB peak, ${result.seconds.toFixed(0)} s, status ${result.status}`);
    figures.push(result);
    rows.push({
      figure: `trainer peak memory (${how}, ${result.samples.toLocaleString('en-US')} images, 1 epoch)`,
      ours: `${fmt(result.peakRssMb)} MB`,
      peer: '',
      ratio: '',
      target: threads > 1 ? '' : '≤ 300 MB',
      met: threads > 1 ? null : result.peakRssMb <= 300,
    });
  }
  results.peakMemory = figures;
}

function extensionFigures(): void {
  const bundle = bundleFigures(extensionScript);
  const activation = activationFigures(root, extensionScript);
  const vsix = vsixFigures(join(root, 'autoencoder-lab.vsix'));
  results.extension = { bundle, activation, vsix };
  const probeLoaded = 'error' in activation ? undefined : activation.tfjsModulesLoaded;
  rows.push({
    figure: 'extension host bundle contains / loads tfjs?',
    ours: `${bundle.tensorflowMentions === 0 ? 'no' : `YES (${bundle.tensorflowMentions} tfjs modules)`} / ${probeLoaded === undefined ? 'probe failed' : probeLoaded === 0 ? 'no' : `YES (${probeLoaded} modules)`}`,
    peer: '',
    ratio: '',
    target: 'no / no',
    met: bundle.tensorflowMentions === 0 && (probeLoaded === undefined ? null : probeLoaded === 0),
  });
  rows.push({
    figure: 'dist/extension.js size (as built)',
    ours: `${fmt(bundle.bytes / 1024)} KiB`,
    peer: '',
    ratio: '',
    target: '',
    met: null,
  });
  rows.push({
    figure: 'activation proxy: load bundle + activate() (stub vscode)',
    ours: 'error' in activation ? activation.error.split('\n')[0].slice(0, 100) : `${fmt(activation.loadMs)} + ${fmt(activation.activateMs, 1)} ms`,
    peer: '',
    ratio: '',
    target: '',
    met: null,
  });
  rows.push({
    figure: '.vsix size',
    ours: vsix ? `${fmt(vsix.bytes / 1024 / 1024, 2)} MB (${vsix.files} files; extension.js ${fmt((vsix.extensionJsBytes ?? 0) / 1024)} KiB)` : 'no autoencoder-lab.vsix (run the package script)',
    peer: '',
    ratio: '',
    target: '',
    met: null,
  });
}

function printTable(): void {
  const header: Row = { figure: 'figure', ours: 'ours', peer: 'best peer', ratio: 'ratio', target: 'target', met: null };
  const cells = (row: Row) => [row.figure, row.ours, row.peer, row.ratio, row.target, row === header ? 'met?' : row.met === null ? '' : row.met ? 'yes' : 'NO'];
  const all = [header, ...rows].map(cells);
  const widths = all[0].map((_, c) => Math.max(...all.map((r) => r[c].length)));
  const line = (r: string[]) => r.map((cell, c) => cell.padEnd(widths[c])).join(' | ');
  console.log('\n' + line(all[0]));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const r of all.slice(1)) console.log(line(r));
}

const torchVenv = join(root, '..', '.cache', 'venv-torch');

/** The Python of the torch 2.13 CPU virtual environment, created on first use; undefined when it cannot be. */
function torchPython(): string | undefined {
  const python = join(torchVenv, 'bin', 'python');
  const works = () => existsSync(python) && spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore', timeout: 120_000 }).status === 0;
  if (works()) return python;
  log(`creating ${torchVenv} with torch 2.13 (CPU) for the text peer`);
  spawnSync('python3', ['-m', 'venv', torchVenv], { stdio: 'inherit' });
  // The +cpu build; a plain `torch` from the default index would pull gigabytes of CUDA libraries.
  let install = spawnSync(join(torchVenv, 'bin', 'pip'), ['install', 'torch==2.13.0+cpu'], { stdio: 'inherit', timeout: 30 * 60_000 });
  if (install.status !== 0) {
    install = spawnSync(join(torchVenv, 'bin', 'pip'), ['install', '--index-url', 'https://download.pytorch.org/whl/cpu', 'torch==2.13.0'], { stdio: 'inherit', timeout: 30 * 60_000 });
  }
  return works() ? python : undefined;
}

interface TextResult {
  samples: number;
  samples_per_second: number;
  epochs: number;
  val_char_accuracy: number;
  val_exact_match: number;
  heldOut?: number;
  vocabulary?: number;
}

async function textFigures(): Promise<void> {
  const seconds = options['text-seconds'] ?? (quick ? '30' : '120');
  const sharedWords = join(root, '../shared/datasets/words/american-english.txt');
  const words = existsSync(sharedWords) ? sharedWords : join(root, 'samples/words/words.txt');
  const verses = join(root, 'samples/poetry/tang.txt');
  const python = skip.has('peer') ? undefined : torchPython();
  if (!python && !skip.has('peer')) log('text peer unavailable: no torch in ' + torchVenv);
  const percent = (value: number | undefined) => (value === undefined ? 'n/a' : `${(value * 100).toFixed(1)}%`);
  const splitDir = mkdtempSync(join(tmpdir(), 'ae-bench-text-'));
  try {
    for (const [label, file] of [['English words', words], ['Chinese verses', verses]] as const) {
      const split = join(splitDir, `${label.replace(/ /g, '-')}.json`);
      const threadCounts = options['text-threads'].split(',').map(Number);
      // One run per backend (wasm, every user's default; tensorflow where tfjs-node is built) and thread count.
      const runs = trainerBackends().flatMap((backend) => threadCounts.map((threads) => ({ backend, threads })));
      const mine: { backend: string; threads: number; result: TextResult }[] = [];
      for (const { backend, threads } of runs) {
        log(`ours: sequence preset, ${label} (${file}), ${backend}, ${threads} thread${threads === 1 ? '' : 's'}, ${seconds} s`);
        const config = JSON.stringify({ threads, ...JSON.parse(options['text-config']) });
        const result = await runChild<TextResult>(
          process.execPath,
          ['--import', 'tsx', join(root, 'bench/measure-text.ts'), '--lines', file, '--seconds', seconds, '--split-out', split, '--config', config, '--backend', backend],
          30 * 60_000,
        );
        log(`  ${fmt(result.samples_per_second)} samples/s, ${result.epochs.toFixed(2)} epochs, held-out exact ${percent(result.val_exact_match)}, characters ${percent(result.val_char_accuracy)}`);
        mine.push({ backend, threads, result });
      }
      let theirs: TextResult | undefined;
      if (python) {
        log(`peer: PyTorch seq2seq, ${label}, ${seconds} s`);
        theirs = await runChild<TextResult>(python, [join(root, 'bench/text_peer.py'), '--lines', file, '--split', split, '--seconds', seconds, '--threads', '2'], 30 * 60_000);
        log(`  ${fmt(theirs.samples_per_second)} samples/s, ${theirs.epochs.toFixed(2)} epochs, held-out exact ${percent(theirs.val_exact_match)}, characters ${percent(theirs.val_char_accuracy)}`);
      }
      results[`text ${label}`] = { file, seconds: Number(seconds), ours: mine[0].result, oursByRun: mine, peer: theirs };
      const ratio = (a: number, b: number | undefined) => (b ? `${(a / b).toFixed(2)}×` : '');
      const english = label === 'English words';
      for (const { backend, threads, result } of mine) {
        const which = runs.length > 1 ? `, ours on ${backend}${threadCounts.length > 1 ? `, ${threads} thread${threads === 1 ? '' : 's'}` : ''}` : '';
        rows.push({
          figure: `text, ${label}${which}: held-out lines reconstructed exactly (${seconds} s each)`,
          ours: percent(result.val_exact_match),
          peer: theirs ? percent(theirs.val_exact_match) : 'no torch',
          ratio: theirs ? ratio(result.val_exact_match, theirs.val_exact_match) : '',
          target: english ? '≥ 1.0×' : '',
          met: english && theirs ? result.val_exact_match >= theirs.val_exact_match : null,
        });
        rows.push({
          figure: `text, ${label}${which}: held-out characters right`,
          ours: percent(result.val_char_accuracy),
          peer: theirs ? percent(theirs.val_char_accuracy) : 'no torch',
          ratio: theirs ? ratio(result.val_char_accuracy, theirs.val_char_accuracy) : '',
          target: english ? '' : 'printed beside the peer',
          met: null,
        });
        rows.push({
          figure: `text, ${label}${which}: training samples/s`,
          ours: fmt(result.samples_per_second),
          peer: theirs ? fmt(theirs.samples_per_second) : 'no torch',
          ratio: theirs ? ratio(result.samples_per_second, theirs.samples_per_second) : '',
          target: english ? '' : '≥ 300',
          met: english ? null : result.samples_per_second >= 300,
        });
      }
    }
  } finally {
    rmSync(splitDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  copyDist();
  const startedAt = new Date();
  const loadBefore = loadavg();
  log(`data: ${images}${quick ? ' (quick)' : ''}; ${cpus().length} cores, load ${loadBefore.map((l) => l.toFixed(1)).join(' ')}`);
  if (!peerVenv.python && !skip.has('peer')) log(`the peers' venv could not be made (${peerVenv.reason}); ${peerAvailable ? `using ${options.python}'s torch` : `and ${options.python} cannot import torch: no peer`}`);

  if (!skip.has('extension')) extensionFigures();
  if (!skip.has('first-loss')) await firstLoss();
  if (!skip.has('training')) await trainingFigures();
  if (!skip.has('text')) await textFigures();
  if (!skip.has('ui')) await uiCost();
  if (!skip.has('memory')) await peakMemory();

  const seconds = (Date.now() - startedAt.getTime()) / 1000;
  printTable();
  const loadAfter = loadavg();
  console.log(
    `\n${quick ? 'quick run, ' : ''}data ${images}; ${cpus().length} cores; load average ${loadBefore[0].toFixed(1)} → ${loadAfter[0].toFixed(1)}; ` +
      `bench took ${(seconds / 60).toFixed(1)} min. Speeds are the best of ${plan.denseRepeats} (dense) / 1 (conv) runs; ratios are ours / the best peer in this run.`,
  );
  const file = join(root, 'bench/results.json');
  writeFileSync(
    file,
    JSON.stringify(
      { startedAt: startedAt.toISOString(), seconds, quick, images, cores: cpus().length, loadBefore, loadAfter, node: process.version, peerBlas, peerVenv, peerRuns, table: rows, ...results },
      null,
      2,
    ) + '\n',
  );
  const markdown = join(root, 'bench/results.md');
  writeFileSync(
    markdown,
    [
      `Measured ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC by \`npm run bench\`${quick ? ' --quick' : ''}: ${images.includes('shared') ? "Fashion-MNIST's training images" : 'the sample slice'}, ` +
        `${cpus().length} cores, load average ${loadBefore[0].toFixed(1)} → ${loadAfter[0].toFixed(1)}, Node ${process.version}; PyTorch's BLAS: ${peerBlas}.`,
      '',
      '| figure | ours | best peer | ratio | target | met? |',
      '|---|---|---|---|---|---|',
      ...rows.map((r) => `| ${[r.figure, r.ours, r.peer, r.ratio, r.target, r.met === null ? '' : r.met ? 'yes' : '**no**'].map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`),
      '',
    ].join('\n'),
  );
  console.log(`wrote ${file} and ${markdown}`);
  // The one hard assertion: the extension host bundle must never carry tfjs.
  const bundle = (results.extension as { bundle?: { tensorflowMentions: number } } | undefined)?.bundle;
  if (bundle && bundle.tensorflowMentions > 0) {
    console.error(`dist/extension.js bundles or requires ${bundle.tensorflowMentions} tfjs modules: the extension host must not load tfjs`);
    process.exitCode = 1;
  }
}

main()
  .catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  })
  .finally(() => rmSync(distCopy, { recursive: true, force: true }));
