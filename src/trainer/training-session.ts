import type * as tfType from '@tensorflow/tfjs';
import { join } from 'node:path';
import type { Dataset } from '../data/dataset';
import { openDataset } from '../data/open-dataset';
import { splitIndices } from '../data/split';
import { summarizeDataset } from '../data/stats';
import { buildModel } from '../models/build-model';
import type { ModelConfig } from '../models/config';
import { createOptimizer } from '../models/optimizer';
import { parseModelConfig } from '../models/parse-config';
import { saveModel } from '../models/persist';
import type {
  CodeProjection,
  DatasetRef,
  EpochMetrics,
  FromTrainer,
  Reconstructions,
  RunStatus,
  StopReason,
  startMessageSchema,
} from '../protocol/trainer-protocol';
import type { BuiltModel } from '../models/built-model';
import type { z } from 'zod';
import { loadCheckpoint, saveCheckpoint, type CheckpointMetadata } from './checkpoint';
import { withDefaultPreset } from './default-preset';
import type { StoppingRule } from './loop/early-stopping';
import {
  CHECKPOINT_DIR,
  CONFIG_FILE,
  createRunFolder,
  readJsonFile,
  readMetrics,
  RECONSTRUCTION_HISTORY,
  RunFolder,
  thinHistory,
  type BatchLossFile,
  type RunConfigFile,
} from './run-folder';
import type { TrainControl } from './train-control';
import { readRunInfo } from './runs';
import { runTrainingLoop } from './train-loop';
import { DataParallelStep, type DataParallelStepOptions } from './parallel/data-parallel-step';
import { resolveTrainingThreads } from './parallel/training-threads';

/**
 * One training run from a `start` message to its finished run folder: open the data, validate the
 * config, build the model (all before anything is written, so bad input leaves no run behind),
 * create or reopen the run folder, train, and write the outcome last.
 */

export type StartRequest = z.output<typeof startMessageSchema>;

export interface SessionContext {
  tf: typeof tfType;
  backend: string;
  control: TrainControl;
  emit(message: FromTrainer): void;
}

export interface SessionResult {
  runDir: string;
  status: Exclude<RunStatus, 'running'>;
  finalLoss: number | null;
  stopReason: StopReason;
  bestEpoch: number;
  bestValMse: number | null;
}

export async function runTrainingSession(start: StartRequest, context: SessionContext): Promise<SessionResult> {
  const { tf } = context;
  const previous = start.resumeRunDir ? await readResumableRun(start.resumeRunDir) : undefined;
  const datasetRef: DatasetRef = previous ? { ...previous.dataset, ...definedFields(start.dataset) } : start.dataset;
  const dataset = await openDataset(datasetRef);
  if (previous) checkSameData(previous, dataset, start.resumeRunDir!);

  const config = parseModelConfig(previous ? { ...previous.config, ...start.config } : withDefaultPreset(start.config, dataset), {
    kind: dataset.kind,
    inputShape: [...dataset.inputShape],
  });
  let built: BuiltModel | undefined;
  let optimizer: tfType.Optimizer | undefined;
  let folder: RunFolder | undefined;
  let parallel: DataParallelStep | undefined;
  try {
    built = buildModel(config, dataset.inputShape, dataset.kind, dataset.vocabulary?.length);
    optimizer = createOptimizer(config);
    const checkpoint = previous ? await loadCheckpoint(join(start.resumeRunDir!, CHECKPOINT_DIR), built, optimizer) : undefined;
    parallel = await startDataParallelStep(config, { tf, model: built, optimizer, backend: context.backend, vocabularySize: dataset.vocabulary?.length });
    // config.json records the threads the run trains on, not `auto`.
    const used: ModelConfig = { ...config, threads: parallel ? 2 : 1 };
    folder = previous
      ? new RunFolder(start.resumeRunDir!)
      : new RunFolder(await createRunFolder(start.runsRoot, start.name ?? `${dataset.name}-${config.preset}`));
    const session = await openRunFolder(folder, { start, previous, dataset, datasetRef, config: used, built, checkpoint, backend: context.backend });
    return await trainAndSave(session, { built, optimizer, parallel, dataset, config: used, context, start, checkpoint });
  } catch (error) {
    if (folder) await markFailed(folder, error);
    throw error;
  } finally {
    await parallel?.dispose();
    optimizer?.dispose();
    built?.dispose();
  }
}

/** What a session keeps of its run folder while it trains. */
interface OpenRun {
  folder: RunFolder;
  split: { train: Int32Array; validation: Int32Array };
  resumedFromEpoch: number;
  keptMetrics: EpochMetrics[];
  history: Reconstructions[];
  codes: CodeProjection | undefined;
  series: BatchLossFile;
}

/** Writes config and status, and carries over what a resumed run keeps up to its checkpoint. */
async function openRunFolder(
  folder: RunFolder,
  inputs: {
    start: StartRequest;
    previous: RunConfigFile | undefined;
    dataset: Dataset;
    datasetRef: DatasetRef;
    config: ModelConfig;
    built: BuiltModel;
    checkpoint: CheckpointMetadata | undefined;
    backend: string;
  },
): Promise<OpenRun> {
  const { start, previous, dataset, config, built, checkpoint } = inputs;
  const datasetSummary = summarizeDataset(dataset);
  await folder.writeConfig({
    name: start.name ?? previous?.name ?? `${dataset.name}-${config.preset}`,
    createdAt: previous?.createdAt ?? new Date().toISOString(),
    dataset: inputs.datasetRef,
    datasetSummary,
    config: { ...config } as Record<string, unknown>,
    graph: built.graph,
  });
  const resumedFromEpoch = checkpoint?.epoch ?? 0;
  await folder.markRunning({
    backend: inputs.backend,
    startedAt: new Date().toISOString(),
    epochs: config.epochs ?? config.maxEpochs,
    dataset: dataset.source,
    epochsCompleted: resumedFromEpoch,
  });
  // A resumed run keeps the epochs up to its checkpoint; anything after it is redone.
  const keptMetrics = (await readMetrics(folder.dir)).filter((m) => m.epoch <= resumedFromEpoch);
  await folder.writeMetrics(keptMetrics);
  const previousFiles = previous ? await folder.readReconstructions().catch(() => undefined) : undefined;
  const history = (previousFiles?.reconstructions ?? []).filter((r) => r.epoch <= resumedFromEpoch);
  // The smoothed per-batch loss, kept on disk so a re-opened run shows the same curve as a live one.
  // On resume, keep the points of the epochs kept (global step = epoch × batches per epoch + batch).
  const split = splitIndices(dataset.count, config.validationSplit, config.seed);
  const batchesPerEpoch = Math.ceil(split.train.length / Math.max(1, Math.min(config.batchSize, split.train.length)));
  const lastKeptStep = resumedFromEpoch * batchesPerEpoch;
  const previousSeries = previous ? await folder.readBatchLoss().catch(() => undefined) : undefined;
  const series: BatchLossFile = { steps: [], losses: [] };
  previousSeries?.steps.forEach((step, i) => {
    if (step > lastKeptStep) return;
    series.steps.push(step);
    series.losses.push(previousSeries.losses[i]);
  });
  return { folder, split, resumedFromEpoch, keptMetrics, history, codes: previousFiles?.codes, series };
}

/** Least time between two checkpoints (weights, optimizer state, pictures); the last epoch always gets one. */
const CHECKPOINT_INTERVAL_MS = 3000;

async function trainAndSave(
  run: OpenRun,
  parts: {
    built: BuiltModel;
    optimizer: tfType.Optimizer;
    parallel: DataParallelStep | undefined;
    dataset: Dataset;
    config: ModelConfig;
    context: SessionContext;
    start: StartRequest;
    checkpoint: (CheckpointMetadata & { best?: tfType.Tensor[] }) | undefined;
  },
): Promise<SessionResult> {
  const { built, optimizer, parallel, dataset, config, context, start, checkpoint } = parts;
  const { folder, series, history } = run;
  const recordingEmit = (message: FromTrainer) => {
    if (message.type === 'batchLoss') {
      series.steps.push(...message.steps);
      series.losses.push(...message.losses);
    }
    context.emit(message);
  };
  context.emit({
    type: 'started',
    runDir: folder.dir,
    dataset: summarizeDataset(dataset),
    graph: built.graph,
    config: { ...config } as Record<string, unknown>,
    resumedFromEpoch: run.resumedFromEpoch,
  });

  let codes = run.codes;
  // The session's first epoch always gets a checkpoint, so a run killed early can still resume.
  let lastCheckpointAt = -Infinity;
  const result = await runTrainingLoop({
    tf: context.tf,
    dataset,
    model: built,
    optimizer,
    trainIndices: run.split.train,
    validationIndices: run.split.validation,
    batchSize: config.batchSize,
    stopping: stoppingRule(config),
    learningRate: { rate: config.learningRate, schedule: config.learningRateSchedule },
    seed: config.seed,
    startEpoch: run.resumedFromEpoch,
    resumed: checkpoint
      ? {
          stopping: checkpoint.stopping ?? { bestEpoch: 0, bestLoss: null },
          trainingSeconds: checkpoint.trainingSeconds ?? sum(run.keptMetrics.map((m) => m.seconds)),
          bestWeights: checkpoint.best,
        }
      : undefined,
    progressIntervalMs: start.progressIntervalMs,
    previewCount: start.previewCount,
    control: context.control,
    emit: recordingEmit,
    step: parallel ? (inputs, count) => parallel.run(inputs, count) : undefined,
    onEpochEnd: async (epoch) => {
      // Decided before any await, so a stop that arrives during the writes cannot skip this checkpoint's choice.
      const due = epoch.last || context.control.stopped || performance.now() - lastCheckpointAt >= CHECKPOINT_INTERVAL_MS;
      await folder.appendMetrics(epoch.metrics);
      history.push(epoch.reconstructions);
      if (history.length > 2 * RECONSTRUCTION_HISTORY) history.splice(0, history.length, ...thinHistory(history));
      codes = epoch.codes ?? codes;
      if (!due) return;
      await folder.writeReconstructions({ reconstructions: history, codes });
      await folder.writeBatchLoss(series);
      await saveCheckpoint(folder.checkpointDir, built, optimizer, {
        epoch: epoch.epoch,
        seed: config.seed,
        stopping: epoch.stopping,
        trainingSeconds: epoch.trainingSeconds,
        best: epoch.best.values,
      });
      lastCheckpointAt = performance.now();
    },
  });

  // The variables now hold the best epoch's weights: that is the model the run keeps.
  await saveModel(built, folder.modelDir);
  await folder.writeReconstructions({ reconstructions: history, codes, anomalies: result.anomalies });
  await folder.writeBatchLoss(series);
  const finalLoss = result.finalLoss ?? run.keptMetrics.at(-1)?.loss ?? null;
  await folder.finish({
    status: result.status,
    finalLoss,
    epochsCompleted: result.epochsCompleted,
    stopReason: result.stopReason,
    bestEpoch: result.bestEpoch,
    bestValMse: result.bestValMse,
    ...(result.notices.length ? { notices: result.notices } : {}),
  });
  return { runDir: folder.dir, status: result.status, finalLoss, stopReason: result.stopReason, bestEpoch: result.bestEpoch, bestValMse: result.bestValMse };
}

function stoppingRule(config: ModelConfig): StoppingRule {
  return {
    epochs: config.epochs,
    maxEpochs: config.maxEpochs,
    maxTimeSeconds: config.maxTimeSeconds,
    patience: config.patience,
    minDelta: config.minDelta,
  };
}

/** Records the failure in status.json; the original error is what the caller sees, whatever happens here. */
async function markFailed(folder: RunFolder, error: unknown): Promise<void> {
  const message = error instanceof Error ? error.message : String(error);
  try {
    await folder.finish({ status: 'failed', finalLoss: null, epochsCompleted: (await readMetrics(folder.dir)).length, error: message });
  } catch {
    // The status stays `running` with this process gone: readers see the run as interrupted.
  }
  (error as { runDir?: string }).runDir = folder.dir;
}

/** The two-thread step when the config asks for it (or `auto` picks it) and the preset allows it. */
async function startDataParallelStep(config: ModelConfig, options: DataParallelStepOptions): Promise<DataParallelStep | undefined> {
  const { threads, note } = resolveTrainingThreads({ preset: config.preset, requested: config.threads, backend: options.backend });
  if (note) console.error(`threads: ${note}`);
  if (threads < 2) return undefined;
  try {
    return await DataParallelStep.start(options);
  } catch (error) {
    // Two threads only make training faster; a worker that cannot start must not cost the run.
    console.error(`threads: the gradient worker did not start (${error instanceof Error ? error.message : String(error)}), training on one thread`);
    return undefined;
  }
}

async function readResumableRun(runDir: string): Promise<RunConfigFile> {
  const config = await readJsonFile<RunConfigFile>(join(runDir, CONFIG_FILE));
  if (!config) throw new Error(`${runDir}: cannot resume, it is not a run folder (no ${CONFIG_FILE})`);
  // Two trainers writing one folder would corrupt it.
  const info = await readRunInfo(runDir);
  if (info?.status === 'running') throw new Error(`${runDir}: cannot resume, the run is still being trained by another trainer`);
  return config;
}

function checkSameData(previous: RunConfigFile, dataset: Dataset, runDir: string): void {
  const before = previous.datasetSummary;
  if (before.count !== dataset.count || before.inputShape.join('x') !== dataset.inputShape.join('x')) {
    throw new Error(
      `${runDir}: cannot resume on different data: the run trained on ${before.count} samples of [${before.inputShape}], ` +
        `${dataset.source} has ${dataset.count} samples of [${dataset.inputShape}]`,
    );
  }
}

function definedFields<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
