/**
 * `autoencoder-lab`: the headless command line over the same trainer the extension uses.
 *   autoencoder-lab train <dataset> [--model preset] [--epochs N] [--max-time S] [--patience N] [--batch-size N] [--code-size N]
 *                         [--out DIR] [--seed N] [--backend B] [--limit N] [--name NAME] [--resume RUN_DIR]
 *                         [--config FILE.json]
 *   autoencoder-lab inspect <dataset>
 *   autoencoder-lab report <run folder>
 * Exit codes: 0 done, 1 failed (bad data, bad config, crash), 2 bad usage, 130 stopped by Ctrl-C.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DatasetError } from '../data/dataset';
import { openDataset } from '../data/open-dataset';
import { computeStats, summarizeDataset } from '../data/stats';
import { PRESETS } from '../models/config';
import { describeStopReason } from './stop-reason-text';
import type { DatasetRef, FromTrainer } from '../protocol/trainer-protocol';
import { readRun } from '../trainer/runs';
import { TrainerClient } from '../trainer/trainer-client';
import { ProgressPrinter } from './progress-printer';
import { renderReport } from './report';
import { generateForReport } from './text-generation';

const USAGE = `Usage:
  autoencoder-lab train <dataset> [options]   train an autoencoder, write a run folder and report.html
  autoencoder-lab inspect <dataset>           print format, count, shape, dtype, value range, classes
  autoencoder-lab report <run folder>         write the run's report.html (for runs trained in the editor)
  autoencoder-lab --version

<dataset>: an IDX file (*-idx3-ubyte[.gz]), .npy, .npz, .csv/.tsv, .txt (one sample per line) or a folder of images.

Train options:
  --model <preset>     ${PRESETS.join(', ')} (default: dense; sequence for text)
  --epochs <n>         train exactly n epochs (default: automatic — train while the validation
                       loss improves, keep the best epoch's weights)
  --max-time <s>       stop after s seconds of training (default 600; 0 = no limit)
  --patience <n>       automatic epochs: stop after n epochs without improvement (default 10)
  --batch-size <n>     samples per batch (default 128; 64 for sequence)
  --code-size <n>      size of the code (latent vector)
  --seed <n>           seed for the split, shuffling and initialization (default 42)
  --threads <n>        auto, 1 or 2: 2 trains data-parallel on two threads (dense, deep, conv,
                       sparse, sequence); auto (default) uses 2 for conv on wasm with a second core
  --out <dir>          runs folder (default .autoencoder-lab/runs under the current directory)
  --name <name>        run name (default <dataset>-<preset>)
  --backend <b>        auto, tensorflow, wasm or cpu (default auto); tensorflow is tfjs-node from
                       AUTOENCODER_LAB_TFJS_NODE (a folder whose node_modules holds it) or node_modules
  --limit <n>          train on the first n samples only
  --resume <run dir>   continue a stopped or killed run from its last checkpoint
  --config <file>      a JSON model config with any option (hiddenLayers, loss, learningRate, …);
                       the flags above override it
`;

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE);
    return command ? 0 : 2;
  }
  if (command === '--version' || command === '-v') {
    const manifest = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
    process.stdout.write(`${manifest.version}\n`);
    return 0;
  }
  if (command === 'train') return train(rest);
  if (command === 'report') return report(rest);
  if (command === 'inspect') return inspect(rest);
  throw new UsageError(`unknown command "${command}" (expected train, inspect or report)`);
}

function positiveInteger(name: string, value: string | undefined, minimum = 1): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < minimum) throw new UsageError(`--${name} must be a whole number ≥ ${minimum}, got "${value}"`);
  return Number(value);
}

function trainingThreads(value: string): number | 'auto' {
  if (value === 'auto') return value;
  if (value !== '1' && value !== '2') throw new UsageError(`--threads must be auto, 1 or 2, got "${value}"`);
  return Number(value);
}

function datasetArgument(positionals: string[]): string {
  if (positionals.length === 0) throw new UsageError('missing <dataset> (a file or folder)');
  if (positionals.length > 1) throw new UsageError(`expected one <dataset>, got ${positionals.length}: ${positionals.join(' ')}`);
  return resolve(positionals[0]);
}

/** Writes (again) the report.html of any run folder, e.g. one trained in the editor. */
async function report(args: string[]): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  if (positionals.length !== 1) throw new UsageError('expected one <run folder>');
  const runDir = resolve(positionals[0]);
  const run = await readRun(runDir);
  const reportPath = join(runDir, 'report.html');
  await writeFile(reportPath, renderReport({ run }));
  process.stdout.write(`report: ${reportPath}\n`);
  return 0;
}

async function inspect(args: string[]): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  const dataset = await openDataset({ path: datasetArgument(positionals) });
  const summary = summarizeDataset(dataset);
  const stats = computeStats(dataset);
  const lines: [string, string][] = [
    ['dataset', summary.path],
    ['format', summary.format],
    ['kind', summary.kind],
    ['count', String(summary.count)],
    ['shape', `${summary.sampleShape.join(' × ')} (model input ${summary.inputShape.join(' × ')})`],
    ['dtype', summary.dtype],
    [
      summary.kind === 'text' ? 'length' : 'values',
      `${round(stats.min)} … ${round(stats.max)} (mean ${round(stats.mean)}, std ${round(stats.std)})${summary.kind === 'text' ? ' characters' : ''}`,
    ],
  ];
  if (summary.vocabularySize !== undefined) lines.push(['vocabulary', `${summary.vocabularySize} symbols`]);
  if (summary.columns) lines.push(['columns', summary.columns.join(', ')]);
  if (summary.classNames) {
    const counts = summary.classCounts ?? [];
    lines.push(['classes', `${summary.classNames.length}: ` + summary.classNames.map((name, i) => `${name} ${counts[i] ?? 0}`).join(', ')]);
  }
  const width = Math.max(...lines.map(([key]) => key.length));
  process.stdout.write(lines.map(([key, value]) => `${key.padEnd(width)}  ${value}`).join('\n') + '\n');
  return 0;
}

async function train(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      model: { type: 'string' },
      epochs: { type: 'string' },
      'max-time': { type: 'string' },
      patience: { type: 'string' },
      'batch-size': { type: 'string' },
      'code-size': { type: 'string' },
      seed: { type: 'string' },
      threads: { type: 'string' },
      out: { type: 'string' },
      name: { type: 'string' },
      backend: { type: 'string' },
      limit: { type: 'string' },
      resume: { type: 'string' },
      config: { type: 'string' },
    },
  });
  const datasetPath = datasetArgument(positionals);
  if (values.model !== undefined && !(PRESETS as readonly string[]).includes(values.model)) {
    throw new UsageError(`--model must be one of ${PRESETS.join(', ')}, got "${values.model}"`);
  }
  if (values.backend !== undefined && !['auto', 'tensorflow', 'wasm', 'cpu'].includes(values.backend)) {
    throw new UsageError(`--backend must be auto, tensorflow, wasm or cpu, got "${values.backend}"`);
  }
  // A JSON model config (any option of the model zoo); the flags above override its fields.
  const config: Record<string, unknown> = values.config ? await readConfigFile(resolve(values.config)) : {};
  if (values.model) config.preset = values.model;
  const epochs = positiveInteger('epochs', values.epochs);
  if (epochs !== undefined) config.epochs = epochs;
  const maxTime = positiveInteger('max-time', values['max-time'], 0);
  if (maxTime !== undefined) config.maxTimeSeconds = maxTime;
  const patience = positiveInteger('patience', values.patience);
  if (patience !== undefined) config.patience = patience;
  const batchSize = positiveInteger('batch-size', values['batch-size']);
  if (batchSize !== undefined) config.batchSize = batchSize;
  const codeSize = positiveInteger('code-size', values['code-size']);
  if (codeSize !== undefined) config.codeSize = codeSize;
  const seed = positiveInteger('seed', values.seed, 0);
  if (seed !== undefined) config.seed = seed;
  if (values.threads !== undefined) config.threads = trainingThreads(values.threads);
  const limit = positiveInteger('limit', values.limit);

  // Bad data or config come back from the trainer as one clear error, before any run folder exists.
  const ref: DatasetRef = { path: datasetPath, ...(limit !== undefined ? { limit } : {}) };

  const trainerScript = join(__dirname, 'trainer.js');
  if (!existsSync(trainerScript)) throw new Error(`${trainerScript} is missing: build first (npm run build)`);
  const runsRoot = resolve(values.out ?? join('.autoencoder-lab', 'runs'));
  const startedAt = Date.now();
  const printer = new ProgressPrinter(process.stdout);
  const client = new TrainerClient({ trainerScript, preferredBackend: values.backend });

  let runDir: string | undefined;
  let patienceUsed: number | undefined;
  let outcome: Extract<FromTrainer, { type: 'done' }> | undefined;
  let failure: string | undefined;
  let interrupts = 0;
  const onInterrupt = () => {
    interrupts++;
    if (interrupts === 1 && client.running) {
      printer.note('stopping after this batch… (Ctrl-C again to kill the trainer)');
      client.send({ type: 'stop' });
    } else {
      client.dispose();
    }
  };
  process.on('SIGINT', onInterrupt);
  try {
    const ready = await client.start();
    printer.note(`trainer ready: backend ${ready.backend}${ready.tfjsNode ? ` (tfjs-node loaded from ${ready.tfjsNode})` : ''}`);
    for (const failure of ready.nativeFailures ?? []) printer.note(`tfjs-node did not load, using ${ready.backend}: ${failure}`);
    const finished = new Promise<void>((resolveFinished) => {
      client.onEvent((message) => {
        switch (message.type) {
          case 'started':
            runDir = message.runDir;
            patienceUsed = typeof message.config.patience === 'number' ? message.config.patience : undefined;
            printer.started(message);
            break;
          case 'batchLoss':
            printer.batchLoss(message.losses);
            break;
          case 'progress':
            printer.progress(message);
            break;
          case 'epochEnd':
            printer.epochEnd(message.metrics);
            break;
          case 'notice':
            printer.note(`note: ${message.notice.message}`);
            break;
          case 'error':
            failure = message.message;
            // Before `started` an error ends the attempt (bad data or config: no run folder exists);
            // after it, `done` with status failed follows.
            if (!runDir) resolveFinished();
            break;
          case 'done':
            outcome = message;
            runDir = message.runDir;
            resolveFinished();
            break;
        }
      });
      client.onExit((exit) => {
        if (!exit.expected && !outcome) {
          const how = exit.signal ? `was killed (${exit.signal})` : `crashed (exit code ${exit.code})`;
          failure = `the trainer ${how}${exit.stderrTail.trim() ? `:\n${exit.stderrTail.trim()}` : ''}`;
        } else if (!outcome && !failure) {
          failure = 'the trainer exited before the run finished';
        }
        resolveFinished();
      });
    });
    client.send({
      type: 'start',
      dataset: ref,
      config,
      runsRoot,
      ...(values.name ? { name: values.name } : {}),
      ...(values.resume ? { resumeRunDir: resolve(values.resume) } : {}),
    });
    await finished;
    printer.finish();

    if (outcome && runDir && outcome.status !== 'failed') {
      const run = await readRun(runDir);
      const reportPath = join(runDir, 'report.html');
      const totalSeconds = (Date.now() - startedAt) / 1000;
      // Text: interpolation, new lines and nearest lines, decoded from the saved model by the same trainer.
      const text = await generateForReport(client, run, runDir);
      await writeFile(reportPath, renderReport({ run, versions: ready.versions, totalSeconds, text }));
      process.stdout.write(`${outcomeLine(outcome, run.epochs.length, patienceUsed)}\nrun folder: ${runDir}\nreport:     ${reportPath}\n`);
      return outcome.status === 'stopped' ? 130 : 0;
    }
    process.stderr.write(`autoencoder-lab: ${failure ?? 'training failed'}\n`);
    if (runDir) process.stderr.write(`run folder (failed): ${runDir}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onInterrupt);
    client.dispose();
  }
}

/** `completed after 142 epochs: no improvement for 10 epochs; model from epoch 132 (val_mse 0.0139)` */
function outcomeLine(outcome: Extract<FromTrainer, { type: 'done' }>, epochs: number, patience: number | undefined): string {
  const reason = outcome.stopReason ? `: ${describeStopReason(outcome.stopReason, patience)}` : '';
  const best =
    outcome.bestEpoch !== undefined
      ? `; model from epoch ${outcome.bestEpoch}${outcome.bestValMse != null ? ` (val_mse ${round(outcome.bestValMse)})` : ''}`
      : '';
  return `${outcome.status} after ${epochs} epoch(s)${reason}${best}`;
}

async function readConfigFile(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`${path}: cannot read the config file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path}: the config file is not valid JSON (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${path}: the config file must hold a JSON object`);
  return value as Record<string, unknown>;
}

function round(value: number): string {
  return Number.isInteger(value) ? String(value) : Number(value.toPrecision(4)).toString();
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`autoencoder-lab: ${error.message}\n\n${USAGE}`);
      process.exitCode = 2;
    } else if (error instanceof DatasetError || (error instanceof Error && error.name === 'ModelConfigError')) {
      process.stderr.write(`autoencoder-lab: ${error.message}\n`);
      process.exitCode = 1;
    } else if (error instanceof Error && 'code' in error && String((error as NodeJS.ErrnoException).code).startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`autoencoder-lab: ${error.message}\n\n${USAGE}`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`autoencoder-lab: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    }
  },
);
