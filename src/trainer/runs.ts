import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';
import { runViewSchema, type RunView } from '../protocol/lab-protocol';
import type { EpochMetrics, RunNotice, RunStatus, StopReason } from '../protocol/trainer-protocol';
import {
  BATCH_LOSS_FILE,
  CONFIG_FILE,
  METRICS_FILE,
  readJsonFile,
  readMetrics,
  RECONSTRUCTIONS_FILE,
  STATUS_FILE,
  type BatchLossFile,
  type ReconstructionsFile,
  type RunConfigFile,
  type RunStatusFile,
} from './run-folder';

/**
 * Reading runs back (the Runs tree, re-opening a finished run in the lab).
 *
 * A run is `interrupted` when its trainer died without writing an outcome: status.json still says
 * `running` but no process with its pid lives on this host, or there is no status.json at all
 * (the trainer died before its first write). A `running` status written on another host is taken
 * at its word. Interrupted runs with a checkpoint can be resumed (start with `resumeRunDir`).
 */

export type RunState = RunStatus | 'interrupted';

export interface RunInfo {
  runDir: string;
  /** The folder name, `<YYYYMMDD-HHMMSS>-<name>`. */
  name: string;
  status: RunState;
  preset?: string;
  dataset?: string;
  backend?: string;
  /** For backend 'tensorflow': the tfjs-node package folder it was loaded from. */
  tfjsNode?: string;
  startedAt?: string;
  endedAt?: string | null;
  epochsCompleted: number;
  epochs?: number;
  finalLoss: number | null;
  /** Epoch of the last checkpoint, if any: the run can be resumed from it. */
  checkpointEpoch?: number;
  error?: string;
  /** Why training ended; the epoch whose weights model/ holds, and its validation MSE. */
  stopReason?: StopReason;
  bestEpoch?: number;
  bestValMse?: number | null;
  notices?: RunNotice[];
}

/** RunView-compatible (drop it into LabState.run), plus what the Runs tree shows. */
export interface RunRecord extends RunView {
  info: RunInfo;
}

/** Every run folder under runsRoot, newest first. A missing runsRoot is no runs. */
export async function listRuns(runsRoot: string): Promise<RunInfo[]> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await fs.readdir(runsRoot, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const runs: RunInfo[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const info = await readRunInfo(join(runsRoot, entry.name)).catch(() => undefined);
    if (info) runs.push(info);
  }
  return runs.sort((a, b) => (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
}

/** What the Runs tree shows of one run; undefined for a folder that is not a run. */
export async function readRunInfo(runDir: string): Promise<RunInfo | undefined> {
  const [config, status] = await Promise.all([
    readJsonFile<RunConfigFile>(join(runDir, CONFIG_FILE)).catch(() => undefined),
    readJsonFile<RunStatusFile>(join(runDir, STATUS_FILE)).catch(() => undefined),
  ]);
  if (!config && !status) return undefined;
  const metrics = await readMetrics(runDir);
  const checkpointEpoch = await latestCheckpointEpoch(join(runDir, 'checkpoint'));
  return {
    runDir,
    name: basename(runDir),
    status: runState(status),
    preset: typeof config?.config.preset === 'string' ? config.config.preset : undefined,
    dataset: status?.dataset ?? config?.dataset.path,
    backend: status?.backend,
    tfjsNode: status?.tfjsNode,
    startedAt: status?.startedAt ?? config?.createdAt,
    endedAt: status?.endedAt ?? null,
    epochsCompleted: status && status.status !== 'running' ? status.epochsCompleted : metrics.length,
    epochs: status?.epochs ?? (typeof config?.config.epochs === 'number' ? config.config.epochs : undefined),
    finalLoss: status?.finalLoss ?? metrics.at(-1)?.loss ?? null,
    checkpointEpoch,
    error: status?.error,
    stopReason: status?.stopReason,
    bestEpoch: status?.bestEpoch,
    // While a run trains (and for runs from before status.json had it), the lowest so far.
    bestValMse: status?.bestValMse ?? lowestValMse(metrics),
    notices: status?.notices,
  };
}

/** Everything the lab needs to show a run that is not training in this session. */
export async function readRun(runDir: string): Promise<RunRecord> {
  const info = await readRunInfo(runDir);
  if (!info) throw new Error(`${runDir}: not a run folder (no ${CONFIG_FILE} or ${STATUS_FILE})`);
  const [config, metrics, reconstructions, batchLoss] = await Promise.all([
    readJsonFile<RunConfigFile>(join(runDir, CONFIG_FILE)),
    readMetrics(runDir),
    readJsonFile<ReconstructionsFile>(join(runDir, RECONSTRUCTIONS_FILE)).catch(() => undefined),
    readJsonFile<BatchLossFile>(join(runDir, BATCH_LOSS_FILE)).catch(() => undefined),
  ]);
  const view: RunView = {
    runDir,
    name: info.name,
    // RunView has no `interrupted`: a killed run shows as failed, with the reason as its error.
    status: info.status === 'interrupted' ? 'failed' : info.status,
    paused: false,
    backend: info.backend,
    tfjsNode: info.tfjsNode,
    config: config?.config ?? {},
    graph: config?.graph,
    epochs: metrics,
    // Written at each epoch end (thinned for long runs); empty for runs from before it existed.
    batchSteps: batchLoss?.steps ?? [],
    batchLosses: batchLoss?.losses ?? [],
    reconstructions: reconstructions?.reconstructions ?? [],
    codes: reconstructions?.codes,
    anomalies: reconstructions?.anomalies,
    error: info.status === 'interrupted' ? interruptedMessage(info, metrics) : info.error,
    ...(info.stopReason ? { stopReason: info.stopReason } : {}),
    ...(info.bestEpoch !== undefined ? { bestEpoch: info.bestEpoch } : {}),
    ...(info.notices ? { notices: info.notices } : {}),
  };
  return { ...validRunView(runDir, view), info };
}

/** Which file of a run folder each part of its run view comes from, for error messages. */
const SOURCE_FILES: Record<string, string> = {
  config: CONFIG_FILE,
  graph: CONFIG_FILE,
  epochs: METRICS_FILE,
  batchSteps: BATCH_LOSS_FILE,
  batchLosses: BATCH_LOSS_FILE,
  reconstructions: RECONSTRUCTIONS_FILE,
  codes: RECONSTRUCTIONS_FILE,
  anomalies: RECONSTRUCTIONS_FILE,
};

/** The run view as the lab's protocol defines it, or an error naming the folder, the file and the field. */
function validRunView(runDir: string, view: RunView): RunView {
  const parsed = runViewSchema.safeParse(view);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const file = SOURCE_FILES[String(issue.path[0])] ?? STATUS_FILE;
  throw new Error(`${join(runDir, file)}: not a valid run file (${issue.path.join('.')}: ${issue.message})`);
}

function interruptedMessage(info: RunInfo, metrics: EpochMetrics[]): string {
  const resume =
    info.checkpointEpoch !== undefined ? ` It can be resumed from its checkpoint after epoch ${info.checkpointEpoch}.` : '';
  return `The trainer ended without finishing this run (killed or crashed) after ${metrics.length} epoch(s).${resume}`;
}

/**
 * The epoch of the last complete checkpoint (the metadata in checkpoint/checkpoint.json), read here
 * rather than through checkpoint.ts: this module is loaded by the extension host, which must never load tfjs.
 */
async function latestCheckpointEpoch(checkpointDir: string): Promise<number | undefined> {
  const checkpoint = await readJsonFile<{ metadata?: { epoch?: unknown } }>(join(checkpointDir, 'checkpoint.json')).catch(() => undefined);
  const epoch = checkpoint?.metadata?.epoch;
  return typeof epoch === 'number' ? epoch : undefined;
}

function runState(status: RunStatusFile | undefined): RunState {
  if (!status) return 'interrupted';
  if (status.status !== 'running') return status.status;
  if (status.host !== hostname()) return 'running';
  return processIsAlive(status.pid) ? 'running' : 'interrupted';
}

function processIsAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function lowestValMse(metrics: EpochMetrics[]): number | null {
  const values = metrics.flatMap((m) => (typeof m.val_mse === 'number' ? [m.val_mse] : []));
  return values.length ? Math.min(...values) : null;
}
