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
import type { DatasetRef, FromTrainer, Reconstructions, RunStatus, startMessageSchema } from '../protocol/trainer-protocol';
import type { z } from 'zod';
import { loadCheckpoint, saveCheckpoint } from './checkpoint';
import { withDefaultPreset } from './default-preset';
import { CHECKPOINT_DIR, CONFIG_FILE, createRunFolder, readJsonFile, readMetrics, RunFolder, type RunConfigFile } from './run-folder';
import type { TrainControl } from './train-control';
import { readRunInfo } from './runs';
import { runTrainingLoop } from './train-loop';
import { DATA_PARALLEL_PRESETS, DataParallelStep, type DataParallelStepOptions } from './parallel/data-parallel-step';

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
}

export async function runTrainingSession(start: StartRequest, context: SessionContext): Promise<SessionResult> {
  const { tf, emit, control } = context;
  const previous = start.resumeRunDir ? await readResumableRun(start.resumeRunDir) : undefined;
  const datasetRef: DatasetRef = previous ? { ...previous.dataset, ...definedFields(start.dataset) } : start.dataset;
  const dataset = await openDataset(datasetRef);
  if (previous) checkSameData(previous, dataset, start.resumeRunDir!);

  const config = parseModelConfig(previous ? { ...previous.config, ...start.config } : withDefaultPreset(start.config, dataset), {
    kind: dataset.kind,
    inputShape: [...dataset.inputShape],
  });
  const built = buildModel(config, dataset.inputShape, dataset.kind, dataset.vocabulary?.length);
  const optimizer = createOptimizer(config);
  let folder: RunFolder | undefined;
  let parallel: DataParallelStep | undefined;
  try {
    const checkpoint = previous ? await loadCheckpoint(join(start.resumeRunDir!, CHECKPOINT_DIR), built, optimizer) : undefined;

    folder = previous
      ? new RunFolder(start.resumeRunDir!)
      : new RunFolder(await createRunFolder(start.runsRoot, start.name ?? `${dataset.name}-${config.preset}`));
    const datasetSummary = summarizeDataset(dataset);
    const resolvedConfig = { ...config } as Record<string, unknown>;
    const runConfig: RunConfigFile = {
      name: start.name ?? previous?.name ?? `${dataset.name}-${config.preset}`,
      createdAt: previous?.createdAt ?? new Date().toISOString(),
      dataset: datasetRef,
      datasetSummary,
      config: resolvedConfig,
      graph: built.graph,
    };
    await folder.writeConfig(runConfig);
    const resumedFromEpoch = checkpoint?.epoch ?? 0;
    await folder.markRunning({
      backend: context.backend,
      startedAt: new Date().toISOString(),
      epochs: config.epochs,
      dataset: dataset.source,
      epochsCompleted: resumedFromEpoch,
    });
    // A resumed run keeps the epochs up to its checkpoint; anything after it is redone.
    const keptMetrics = (await readMetrics(folder.dir)).filter((m) => m.epoch <= resumedFromEpoch);
    await folder.writeMetrics(keptMetrics);
    const previousFiles = previous ? await folder.readReconstructions().catch(() => undefined) : undefined;
    const history: Reconstructions[] = (previousFiles?.reconstructions ?? []).filter((r) => r.epoch <= resumedFromEpoch);
    let codes = previousFiles?.codes;
    // The smoothed per-batch loss, kept on disk so a re-opened run shows the same curve as a live one.
    // On resume, keep the points of the epochs kept (global step = epoch × batches per epoch + batch).
    const split = splitIndices(dataset.count, config.validationSplit, config.seed);
    const batchesPerEpoch = Math.ceil(split.train.length / Math.max(1, Math.min(config.batchSize, split.train.length)));
    const lastKeptStep = resumedFromEpoch * batchesPerEpoch;
    const previousSeries = previous ? await folder.readBatchLoss().catch(() => undefined) : undefined;
    const series = { steps: [] as number[], losses: [] as number[] };
    previousSeries?.steps.forEach((step, i) => {
      if (step > lastKeptStep) return;
      series.steps.push(step);
      series.losses.push(previousSeries.losses[i]);
    });
    const recordingEmit = (message: FromTrainer) => {
      if (message.type === 'batchLoss') {
        series.steps.push(...message.steps);
        series.losses.push(...message.losses);
      }
      emit(message);
    };

    emit({ type: 'started', runDir: folder.dir, dataset: datasetSummary, graph: built.graph, config: resolvedConfig, resumedFromEpoch });

    const runFolder = folder;
    parallel = await startDataParallelStep(config, { tf, model: built, optimizer, backend: context.backend });
    const result = await runTrainingLoop({
      tf,
      dataset,
      model: built,
      optimizer,
      trainIndices: split.train,
      validationIndices: split.validation,
      batchSize: config.batchSize,
      epochs: config.epochs,
      seed: config.seed,
      startEpoch: resumedFromEpoch,
      progressIntervalMs: start.progressIntervalMs,
      previewCount: start.previewCount,
      control,
      emit: recordingEmit,
      step: parallel ? (inputs, count) => parallel!.run(inputs, count) : undefined,
      onEpochEnd: async (epoch) => {
        await runFolder.appendMetrics(epoch.metrics);
        history.push(epoch.reconstructions);
        codes = epoch.codes ?? codes;
        await runFolder.writeReconstructions({ reconstructions: history, codes });
        await runFolder.writeBatchLoss(series);
        await saveCheckpoint(runFolder.checkpointDir, built, optimizer, epoch.epoch, config.seed);
      },
    });

    await saveModel(built, folder.modelDir);
    await folder.writeReconstructions({ reconstructions: history, codes, anomalies: result.anomalies });
    await folder.writeBatchLoss(series);
    const finalLoss = result.finalLoss ?? keptMetrics.at(-1)?.loss ?? null;
    await folder.finish({ status: result.status, finalLoss, epochsCompleted: result.epochsCompleted });
    return { runDir: folder.dir, status: result.status, finalLoss };
  } catch (error) {
    if (folder) {
      const message = error instanceof Error ? error.message : String(error);
      await folder
        .finish({ status: 'failed', finalLoss: null, epochsCompleted: (await readMetrics(folder.dir)).length, error: message })
        .catch(() => undefined);
      (error as { runDir?: string }).runDir = folder.dir;
    }
    throw error;
  } finally {
    await parallel?.dispose();
    optimizer.dispose();
    built.dispose();
  }
}

/** The two-thread step when the config asks for it and the preset allows it (no random draws in its loss). */
async function startDataParallelStep(config: ModelConfig, options: DataParallelStepOptions): Promise<DataParallelStep | undefined> {
  if (config.threads < 2) return undefined;
  if (!DATA_PARALLEL_PRESETS.includes(config.preset)) {
    console.error(`threads: ${config.preset} draws random numbers in its loss, training on one thread (two threads: ${DATA_PARALLEL_PRESETS.join(', ')})`);
    return undefined;
  }
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
