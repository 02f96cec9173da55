/**
 * `npm run bench:quality` (also the last part of `npm run bench`): what a default Train leaves the
 * user with. Each case runs the CLI with no options but the dataset (and a preset where the case is
 * about one), as a user would, and reads the run's status.json: the best validation MSE, the epoch it
 * kept, why it stopped, the wall time. The Keras 3 peer (bench/keras_quality_peer.py, EarlyStopping with
 * restore_best_weights, the same network, samples and validation split) runs beside it when a Python
 * with keras is at hand (--keras-python, default: the bench's venv .cache/venv-tf).
 *
 *   npm run bench:quality [-- --keras-python PATH] [-- --skip keras]
 *
 * Prints a table and writes bench/quality-results.json.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { product } from '../src/data/dataset';
import { openDataset } from '../src/data/open-dataset';
import { splitIndices } from '../src/data/split';
import { meanPredictionMse } from '../src/trainer/loop/constant-output';
import { encodeNpy } from '../scripts/npy.mjs';

const root = join(__dirname, '..');
const { values: options } = parseArgs({
  options: {
    'keras-python': { type: 'string', default: join(root, '.cache/venv-tf/bin/python') },
    skip: { type: 'string', default: '' },
  },
});
const skip = new Set(options.skip.split(',').filter(Boolean));

interface QualityCase {
  name: string;
  dataset: string;
  args: string[];
  /** Keras peer: the same preset and loss the lab picked. */
  peer: { preset: 'dense' | 'conv'; loss: 'mse' | 'bce' };
  target: { maxValMse?: number; maxSeconds?: number; learns?: boolean };
}

const CASES: QualityCase[] = [
  {
    name: 'default Train, Fashion-MNIST sample (2,000 images, dense)',
    dataset: join(root, 'samples/fashion-mnist/train-images-idx3-ubyte.gz'),
    args: [],
    peer: { preset: 'dense', loss: 'mse' },
    target: { maxValMse: 0.015, maxSeconds: 120 },
  },
  {
    name: 'default Train, rendered digits (1,200 PNGs 20×20, dense)',
    dataset: join(root, 'samples/digits'),
    args: [],
    peer: { preset: 'dense', loss: 'mse' },
    target: { maxValMse: 0.012 },
  },
  {
    name: 'conv preset on the digits (default loss bce)',
    dataset: join(root, 'samples/digits'),
    args: ['--model', 'conv'],
    peer: { preset: 'conv', loss: 'bce' },
    target: { learns: true },
  },
];

interface Outcome {
  valMse: number | null;
  /** Training seconds until the validation MSE first reached the case's target. */
  secondsToTarget?: number;
  bestEpoch?: number;
  epochs: number;
  stopReason?: string;
  seconds: number;
  notices: string[];
}

/** A private copy of dist/: a build started meanwhile (it empties dist/) must not pull the trainer away mid-bench. */
function copyDist(into: string): string {
  const copy = join(into, 'dist');
  cpSync(join(root, 'dist'), copy, { recursive: true, filter: (path) => !path.includes(join('dist', 'test')) });
  // The CLI reads the extension's version from ../package.json.
  cpSync(join(root, 'package.json'), join(into, 'package.json'));
  return copy;
}

let dist = join(root, 'dist');

function runOurs(testCase: QualityCase, out: string): Outcome {
  const started = Date.now();
  const result = spawnSync(process.execPath, [join(dist, 'cli.js'), 'train', testCase.dataset, ...testCase.args, '--out', out], { encoding: 'utf8' });
  const seconds = (Date.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`${testCase.name}: the CLI failed:\n${result.stderr}`);
  const runDir = join(out, readdirSync(out)[0]);
  const status = JSON.parse(readFileSync(join(runDir, 'status.json'), 'utf8')) as {
    bestValMse?: number | null;
    bestEpoch?: number;
    epochsCompleted: number;
    stopReason?: string;
    notices?: { message: string }[];
  };
  const metrics = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { val_mse?: number; seconds: number });
  let elapsed = 0;
  let secondsToTarget: number | undefined;
  for (const epoch of metrics) {
    elapsed += epoch.seconds;
    if (testCase.target.maxValMse !== undefined && (epoch.val_mse ?? Infinity) <= testCase.target.maxValMse) {
      secondsToTarget = elapsed;
      break;
    }
  }
  return {
    valMse: status.bestValMse ?? null,
    secondsToTarget,
    bestEpoch: status.bestEpoch,
    epochs: status.epochsCompleted,
    stopReason: status.stopReason,
    seconds,
    notices: (status.notices ?? []).map((n) => n.message),
  };
}

/** The samples and split our trainer used, as float32 .npy files for the peer. */
async function writePeerData(testCase: QualityCase, dir: string): Promise<number> {
  const dataset = await openDataset({ path: testCase.dataset });
  const split = splitIndices(dataset.count, 0.1, 42);
  const size = product(dataset.inputShape);
  mkdirSync(dir, { recursive: true });
  for (const [name, indices] of [['train', split.train], ['validation', split.validation]] as const) {
    const values = new Float32Array(indices.length * size);
    dataset.fillBatch(indices, values);
    writeFileSync(join(dir, `${name}.npy`), encodeNpy(values, [indices.length, ...dataset.inputShape], '<f4'));
  }
  return meanPredictionMse(dataset, split.train, split.validation) ?? NaN;
}

function runPeer(testCase: QualityCase, dataDir: string): Outcome | string {
  const python = options['keras-python'];
  if (skip.has('keras')) return 'skipped';
  if (!existsSync(python)) return `no Keras (${python} missing)`;
  const result = spawnSync(
    python,
    [join(__dirname, 'keras_quality_peer.py'), dataDir, '--preset', testCase.peer.preset, '--loss', testCase.peer.loss, '--lr', '0.002', '--patience', '10', '--max-seconds', '600'],
    { encoding: 'utf8', env: { ...process.env, CUDA_VISIBLE_DEVICES: '' } },
  );
  if (result.status !== 0) return `Keras failed: ${result.stderr.trim().split('\n').at(-1)}`;
  const line = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as { valMse: number; epochs: number; seconds: number };
  return { valMse: line.valMse, epochs: line.epochs, seconds: line.seconds, notices: [] };
}

const format = (value: number | null | undefined, digits = 4) => (value == null || Number.isNaN(value) ? '—' : Number(value.toPrecision(digits)).toString());

async function main(): Promise<void> {
  if (!existsSync(join(root, 'dist/cli.js'))) throw new Error('dist/cli.js is missing: npm run build first');
  const work = mkdtempSync(join(tmpdir(), 'ae-quality-'));
  dist = copyDist(work);
  const rows: Record<string, unknown>[] = [];
  try {
    for (const [i, testCase] of CASES.entries()) {
      const baseline = await writePeerData(testCase, join(work, `data-${i}`));
      const ours = runOurs(testCase, join(work, `runs-${i}`));
      const peer = runPeer(testCase, join(work, `data-${i}`));
      const learns = ours.valMse !== null && ours.valMse < 0.5 * baseline;
      const met =
        (testCase.target.maxValMse === undefined || (ours.valMse !== null && ours.valMse <= testCase.target.maxValMse)) &&
        (testCase.target.maxSeconds === undefined || (ours.secondsToTarget !== undefined && ours.secondsToTarget <= testCase.target.maxSeconds)) &&
        (!testCase.target.learns || learns);
      const target = [
        testCase.target.maxValMse !== undefined ? `val MSE ≤ ${testCase.target.maxValMse}` : '',
        testCase.target.maxSeconds !== undefined ? `reached within ${testCase.target.maxSeconds} s of training` : '',
        testCase.target.learns ? 'learns (< ½ the mean image’s MSE)' : '',
      ].filter(Boolean).join(', ');
      rows.push({ case: testCase.name, ours, peer, baseline, target, met });
      const peerText = typeof peer === 'string' ? peer : `${format(peer.valMse)} (${peer.epochs} epochs, ${peer.seconds.toFixed(0)} s)`;
      console.log(
        `\n${testCase.name}\n  ours:  best val MSE ${format(ours.valMse)} at epoch ${ours.bestEpoch ?? '—'} of ${ours.epochs}, stopped by ${ours.stopReason}, ${ours.seconds.toFixed(0)} s wall` +
          (ours.secondsToTarget !== undefined ? `; val MSE ≤ ${testCase.target.maxValMse} after ${ours.secondsToTarget.toFixed(0)} s of training` : '') +
          `\n  Keras: ${peerText}` +
          (typeof peer === 'string' || !peer.valMse ? '' : `   ratio ours/Keras ${(ours.valMse! / peer.valMse).toFixed(2)}×`) +
          `\n  mean-image MSE ${format(baseline)}; target ${target}: ${met ? 'met ✔' : 'NOT met ✘'}` +
          (ours.notices.length ? `\n  notice: ${ours.notices.join(' ')}` : ''),
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  writeFileSync(join(__dirname, 'quality-results.json'), JSON.stringify({ date: new Date().toISOString(), rows }, null, 2) + '\n');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
