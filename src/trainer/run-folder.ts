import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';
import type {
  Anomalies,
  CodeProjection,
  DatasetRef,
  DatasetSummary,
  EpochMetrics,
  ModelGraph,
  Reconstructions,
  RunNotice,
  RunStatus,
  StopReason,
} from '../protocol/trainer-protocol';
import { tfjsNodeOrigin } from './tfjs-node-origin';

/**
 * One run on disk: `<runsRoot>/<YYYYMMDD-HHMMSS>-<name>/` with
 *   config.json          what was trained (resolved config, dataset ref and summary, model graph)
 *   metrics.jsonl        one line per finished epoch
 *   model/               the trained autoencoder, encoder, decoder (tfjs layers format)
 *   checkpoint/          the last finished epoch: weights, optimizer state, epoch, rng state
 *   reconstructions.json the latest reconstructions (a short history), codes and anomalies
 *   batch-loss.json      the smoothed per-batch loss series (thinned to at most BATCH_LOSS_POINTS)
 *   status.json          written atomically; `running` while the trainer lives, the outcome last
 * A run whose status says `running` but whose process is gone was killed: see runs.ts.
 */

export const CONFIG_FILE = 'config.json';
export const METRICS_FILE = 'metrics.jsonl';
export const STATUS_FILE = 'status.json';
export const RECONSTRUCTIONS_FILE = 'reconstructions.json';
export const BATCH_LOSS_FILE = 'batch-loss.json';
export const MODEL_DIR = 'model';
export const CHECKPOINT_DIR = 'checkpoint';

/** Points kept in batch-loss.json: a long run's series is thinned evenly, always keeping the last point. */
export const BATCH_LOSS_POINTS = 10_000;

export interface BatchLossFile {
  steps: number[];
  losses: number[];
}

/** Every k-th point so that at most `limit` remain, plus the last one. */
export function thinSeries(series: BatchLossFile, limit = BATCH_LOSS_POINTS): BatchLossFile {
  const count = series.steps.length;
  if (count <= limit) return series;
  const stride = Math.ceil(count / (limit - 1));
  const steps: number[] = [];
  const losses: number[] = [];
  for (let i = 0; i < count; i += stride) {
    steps.push(series.steps[i]);
    losses.push(series.losses[i]);
  }
  if (steps[steps.length - 1] !== series.steps[count - 1]) {
    steps.push(series.steps[count - 1]);
    losses.push(series.losses[count - 1]);
  }
  return { steps, losses };
}

/** Reconstructions kept in reconstructions.json: enough to scrub through a run of any length. */
export const RECONSTRUCTION_HISTORY = 50;

/**
 * At most `limit` entries spread over the whole run: the first and the latest always, the rest evenly
 * by epoch, so the lab's epoch slider shows how a long run learned, not only its last epochs.
 */
export function thinHistory<T extends { epoch: number }>(history: readonly T[], limit = RECONSTRUCTION_HISTORY): T[] {
  if (history.length <= limit) return [...history];
  const kept: T[] = [];
  for (let i = 0; i < limit; i++) kept.push(history[Math.round((i * (history.length - 1)) / (limit - 1))]);
  return kept;
}

export interface RunConfigFile {
  name: string;
  createdAt: string;
  dataset: DatasetRef;
  datasetSummary: DatasetSummary;
  /** The resolved model config (every default applied). */
  config: Record<string, unknown>;
  graph: ModelGraph;
}

export interface RunStatusFile {
  status: RunStatus;
  finalLoss: number | null;
  backend: string;
  /** For backend 'tensorflow': the tfjs-node package folder it was loaded from. */
  tfjsNode?: string;
  startedAt: string;
  endedAt: string | null;
  epochsCompleted: number;
  epochs: number;
  /** Path of the dataset trained on. */
  dataset: string;
  /** The trainer process, so a `running` run whose process is gone is seen as interrupted. */
  pid: number;
  host: string;
  error?: string;
  /** Why training ended, the epoch whose weights model/ holds and its validation MSE. */
  stopReason?: StopReason;
  bestEpoch?: number;
  bestValMse?: number | null;
  notices?: RunNotice[];
}

export interface ReconstructionsFile {
  reconstructions: Reconstructions[];
  codes?: CodeProjection;
  anomalies?: Anomalies;
}

/** `20261127-195502-fashion-dense` style folder names: sortable by time, readable. */
export function runFolderName(date: Date, name: string): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp =
    `${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}-` +
    `${pad(date.getHours())}${pad(date.getMinutes())}${pad(date.getSeconds())}`;
  return `${stamp}-${sanitizeRunName(name)}`;
}

export function sanitizeRunName(name: string): string {
  const cleaned = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '') // accents, split off by NFKD
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 60);
  return cleaned || 'run';
}

/** Creates a fresh run folder; two runs started in the same second get `-2`, `-3`, … */
export async function createRunFolder(runsRoot: string, name: string, now = new Date()): Promise<string> {
  await fs.mkdir(runsRoot, { recursive: true });
  const base = runFolderName(now, name);
  for (let attempt = 1; attempt < 1000; attempt++) {
    const dir = join(runsRoot, attempt === 1 ? base : `${base}-${attempt}`);
    try {
      await fs.mkdir(dir); // not recursive: fails if it exists, so two trainers never share a folder
      return dir;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  throw new Error(`${runsRoot}: cannot create a run folder named ${base}`);
}

/** Writes JSON through a temporary file and a rename, so readers never see half a file. */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await fs.open(temporary, 'w');
  try {
    await handle.writeFile(JSON.stringify(value, null, 2) + '\n');
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(temporary, path);
}

export async function readJsonFile<T>(path: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`${path}: not valid JSON`);
  }
}

/** Reads metrics.jsonl, ignoring a torn last line (the process died while appending it). */
export async function readMetrics(runDir: string): Promise<EpochMetrics[]> {
  let text: string;
  try {
    text = await fs.readFile(join(runDir, METRICS_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const metrics: EpochMetrics[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      metrics.push(JSON.parse(line) as EpochMetrics);
    } catch {
      break;
    }
  }
  return metrics;
}

/** The writer side of a run folder, used by the trainer. */
export class RunFolder {
  private status: RunStatusFile | undefined;

  constructor(readonly dir: string) {}

  get name(): string {
    return basename(this.dir);
  }
  get modelDir(): string {
    return join(this.dir, MODEL_DIR);
  }
  get checkpointDir(): string {
    return join(this.dir, CHECKPOINT_DIR);
  }

  async writeConfig(config: RunConfigFile): Promise<void> {
    await writeJsonAtomic(join(this.dir, CONFIG_FILE), config);
  }

  readConfig(): Promise<RunConfigFile | undefined> {
    return readJsonFile<RunConfigFile>(join(this.dir, CONFIG_FILE));
  }

  readStatus(): Promise<RunStatusFile | undefined> {
    return readJsonFile<RunStatusFile>(join(this.dir, STATUS_FILE));
  }

  /** Marks the run as running in this process (also when resuming). */
  async markRunning(fields: Pick<RunStatusFile, 'backend' | 'startedAt' | 'epochs' | 'dataset' | 'epochsCompleted'>): Promise<void> {
    const origin = fields.backend === 'tensorflow' ? tfjsNodeOrigin() : undefined;
    this.status = { status: 'running', finalLoss: null, endedAt: null, pid: process.pid, host: hostname(), ...fields, ...(origin ? { tfjsNode: origin } : {}) };
    await writeJsonAtomic(join(this.dir, STATUS_FILE), this.status);
  }

  /** Rewrites metrics.jsonl with exactly these epochs (a resumed run drops epochs after its checkpoint). */
  async writeMetrics(metrics: EpochMetrics[]): Promise<void> {
    const path = join(this.dir, METRICS_FILE);
    const temporary = `${path}.${process.pid}.tmp`;
    await fs.writeFile(temporary, metrics.map((m) => JSON.stringify(m) + '\n').join(''));
    await fs.rename(temporary, path);
  }

  async appendMetrics(metrics: EpochMetrics): Promise<void> {
    await fs.appendFile(join(this.dir, METRICS_FILE), JSON.stringify(metrics) + '\n');
  }

  async writeReconstructions(file: ReconstructionsFile): Promise<void> {
    await writeJsonAtomic(join(this.dir, RECONSTRUCTIONS_FILE), {
      ...file,
      reconstructions: thinHistory(file.reconstructions),
    });
  }

  async writeBatchLoss(series: BatchLossFile): Promise<void> {
    await writeJsonAtomic(join(this.dir, BATCH_LOSS_FILE), thinSeries(series));
  }

  readBatchLoss(): Promise<BatchLossFile | undefined> {
    return readJsonFile<BatchLossFile>(join(this.dir, BATCH_LOSS_FILE));
  }

  readReconstructions(): Promise<ReconstructionsFile | undefined> {
    return readJsonFile<ReconstructionsFile>(join(this.dir, RECONSTRUCTIONS_FILE));
  }

  /** The last write of a run: its outcome. */
  async finish(outcome: {
    status: Exclude<RunStatus, 'running'>;
    finalLoss: number | null;
    epochsCompleted: number;
    error?: string;
  } & Pick<RunStatusFile, 'stopReason' | 'bestEpoch' | 'bestValMse' | 'notices'>): Promise<RunStatusFile> {
    if (!this.status) throw new Error(`${this.dir}: finish() before markRunning()`);
    this.status = { ...this.status, ...outcome, endedAt: new Date().toISOString() };
    if (outcome.error === undefined) delete this.status.error;
    await writeJsonAtomic(join(this.dir, STATUS_FILE), this.status);
    return this.status;
  }
}
