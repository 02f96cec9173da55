import type * as tfType from '@tensorflow/tfjs';
import { product, type Dataset } from '../data/dataset';
import { mulberry32, shuffleInPlace } from '../data/random';
import type { BuiltModel } from '../models/built-model';
import type { LearningRateSchedule } from '../models/config';
import type {
  Anomalies,
  CodeProjection,
  EpochMetrics,
  FromTrainer,
  Reconstructions,
  RunNotice,
  StopReason,
} from '../protocol/trainer-protocol';
import { BestWeights } from './loop/best-weights';
import { CONSTANT_CHECK_EPOCH, constantOutputNotice, meanPredictionMse } from './loop/constant-output';
import { EarlyStopping, type EarlyStoppingState, type StoppingRule } from './loop/early-stopping';
import { Evaluator, type ValidationResult } from './loop/evaluation';
import { applyLearningRateSchedule } from './loop/learning-rate-schedule';
import { ProgressStream } from './loop/progress-stream';
import { denseTrainingStep } from './fast-step/dense-step';
import { textMetrics, type TextMetrics } from './text-metrics';
import type { TrainControl } from './train-control';

/**
 * The training loop: a custom loop rather than model.fit, so that pause/stop are obeyed between
 * batches, the per-batch cost is only what training needs, and messages are throttled.
 *
 * Per batch: the seeded epoch order picks the indices, dataset.fillBatch writes them into one
 * preallocated Float32Array, one optimizer step runs (the caller's `step`, else the dense presets' written-out
 * step of fast-step/dense-step.ts where it applies, else optimizer.minimize inside tf.tidy), the loss scalar is read (every
 * backend we run on computes synchronously, so this read is a 4-byte copy, not a pipeline stall), and
 * the loop yields to the event loop with setImmediate so that pause/stop messages get in.
 * Per epoch: the validation loss and MSE, the early-stopping decision, a copy of the best weights,
 * the reconstructions of a fixed set of validation samples, and (at most every CODES_INTERVAL_MS) a
 * PCA projection of the codes. At the end the best weights are put back (the model the run keeps)
 * and the validation samples they reconstruct worst are reported (anomalies).
 */

export interface TrainLoopOptions {
  tf: typeof tfType;
  dataset: Dataset;
  model: BuiltModel;
  optimizer: tfType.Optimizer;
  trainIndices: Int32Array;
  validationIndices: Int32Array;
  batchSize: number;
  /** When training ends; default: exactly `epochs` epochs, no time limit. */
  stopping?: StoppingRule;
  /** Shorthand for `stopping: { epochs }` (tests, benchmarks). */
  epochs?: number;
  seed: number;
  /** The optimizer's configured rate and its schedule over the run's budget; default: the optimizer's rate, constant. */
  learningRate?: { rate: number; schedule: LearningRateSchedule };
  /** Epochs already finished (resume from a checkpoint). */
  startEpoch?: number;
  /** A resumed run's early-stopping state, training seconds so far and best weights. */
  resumed?: ResumedState;
  /** Minimum ms between progress (and batchLoss) messages; default 100. */
  progressIntervalMs?: number;
  /** Validation samples shown as reconstructions; default 8. */
  previewCount?: number;
  /** Samples whose codes are projected; default 500. */
  codeSampleCount?: number;
  /** Worst-reconstructed samples reported at the end; default 8. */
  anomalyCount?: number;
  control: TrainControl;
  emit(message: FromTrainer): void;
  /** After each finished epoch (metrics known): awaited before the next epoch. */
  onEpochEnd?(epoch: EpochArtifacts): Promise<void>;
  /** Milliseconds; default performance.now. */
  clock?: () => number;
  /**
   * Runs each optimizer step instead of the plain `optimizer.minimize` (data-parallel training,
   * src/trainer/parallel/): given the batch's inputs, it updates the weights and returns the loss.
   */
  step?(inputs: Float32Array, count: number): Promise<number> | number;
}

export interface ResumedState {
  stopping: EarlyStoppingState;
  trainingSeconds: number;
  bestWeights?: tfType.Tensor[];
}

export interface EpochArtifacts {
  /** 1-based count of finished epochs. */
  epoch: number;
  metrics: EpochMetrics;
  reconstructions: Reconstructions;
  codes?: CodeProjection;
  /** This epoch is the new best. */
  improved: boolean;
  /** Training ends after this epoch (the loop decided to stop, or the user asked). */
  last: boolean;
  stopping: EarlyStoppingState;
  trainingSeconds: number;
  /** The best epoch's weights (the variables hold this epoch's). */
  best: BestWeights;
}

export interface TrainLoopResult {
  status: 'completed' | 'stopped';
  stopReason: StopReason;
  epochsCompleted: number;
  /** The last finished epoch's training loss (null when no epoch finished). */
  finalLoss: number | null;
  /** The epoch whose weights the model holds at the end (0 when no epoch finished in this session). */
  bestEpoch: number;
  bestValMse: number | null;
  anomalies?: Anomalies;
  notices: RunNotice[];
}

/** Least time between two code projections (each is a forward pass over 500 samples and a PCA). */
const CODES_INTERVAL_MS = 2000;

export class TrainingDivergedError extends Error {
  constructor(loss: number, epoch: number, batch: number) {
    super(`The loss became ${loss} at epoch ${epoch}, batch ${batch}: training diverged. Try a lower learning rate.`);
    this.name = 'TrainingDivergedError';
  }
}

/** The shuffle of epoch e comes from (seed, e) alone, so a resumed run shuffles as the original would have. */
export function epochSeed(seed: number, epoch: number): number {
  return (Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) + Math.imul(epoch + 1, 0x85ebca6b)) >>> 0;
}

/** `cut`: the time limit ended the session's first epoch before its last batch (its batches so far count as the epoch). */
type EpochOutcome = { kind: 'finished'; loss: number; samples: number; trainMs: number; cut?: boolean } | { kind: 'interrupted'; reason: StopReason };

export async function runTrainingLoop(options: TrainLoopOptions): Promise<TrainLoopResult> {
  return new TrainingLoop(options).run();
}

class TrainingLoop {
  private readonly tf: typeof tfType;
  private readonly clock: () => number;
  private readonly train: Int32Array;
  private readonly validation: Int32Array;
  private readonly batchSize: number;
  private readonly batchesPerEpoch: number;
  private readonly sampleSize: number;
  private readonly batch: Float32Array;
  private readonly evaluator: Evaluator;
  private readonly stopping: EarlyStopping;
  private readonly best: BestWeights;
  private readonly stream: ProgressStream;
  private readonly previewIndices: Int32Array;
  private readonly codeIndices: Int32Array;
  private readonly notices: RunNotice[] = [];
  /** The caller's step, else the dense presets' fast step where it applies, else optimizer.minimize. */
  private readonly stepFunction: TrainLoopOptions['step'];

  private step: number;
  private epochsCompleted: number;
  private finalLoss: number | null = null;
  private bestValMse: number | null = null;
  private lastErrors: Float32Array | undefined;
  private lastCodesAt = -Infinity;
  private readonly startedAt: number;
  private readonly firstEpoch: number;
  private readonly secondsBefore: number;
  private pausedMs = 0;
  private sessionTrainMs = 0;
  private sessionTrainSamples = 0;
  private constantBaseline: number | null | undefined;
  /** The scheduled rate of the last batch (undefined: the optimizer's own, constant). */
  private currentLearningRate: number | undefined;

  constructor(private readonly options: TrainLoopOptions) {
    const { tf, dataset, model } = options;
    this.tf = tf;
    this.clock = options.clock ?? (() => performance.now());
    this.train = options.trainIndices;
    if (this.train.length === 0) throw new Error(`${dataset.source}: no samples left to train on after the validation split`);
    this.validation = options.validationIndices;
    this.batchSize = Math.max(1, Math.min(options.batchSize, this.train.length));
    this.batchesPerEpoch = Math.ceil(this.train.length / this.batchSize);
    this.sampleSize = product(dataset.inputShape);
    this.batch = new Float32Array(this.batchSize * this.sampleSize);
    this.evaluator = new Evaluator(tf, dataset, model, this.batchSize);
    this.stepFunction = options.step ?? denseTrainingStep(tf, model, options.optimizer);
    const rule = options.stopping ?? { epochs: options.epochs ?? 1, maxEpochs: options.epochs ?? 1, maxTimeSeconds: 0, patience: 1, minDelta: 0 };
    this.stopping = new EarlyStopping(rule, options.resumed?.stopping);
    this.best = new BestWeights(tf, model.trainableVariables);
    if (options.resumed?.bestWeights) this.best.set(options.resumed.bestWeights);
    this.stream = new ProgressStream(options.emit, options.progressIntervalMs ?? 100);
    this.previewIndices = spread(this.evaluationIndices, options.previewCount ?? 8);
    this.codeIndices = codeSample(this.validation, this.train, options.codeSampleCount ?? 500);
    this.epochsCompleted = options.startEpoch ?? 0;
    this.firstEpoch = this.epochsCompleted;
    this.step = this.epochsCompleted * this.batchesPerEpoch;
    this.startedAt = this.clock();
    this.secondsBefore = options.resumed?.trainingSeconds ?? 0;
  }

  private get evaluationIndices(): Int32Array {
    return this.validation.length > 0 ? this.validation : this.train;
  }

  /** Training seconds of the whole run so far (earlier sessions included, pauses excluded). */
  private trainingSeconds(): number {
    return this.secondsBefore + (this.clock() - this.startedAt - this.pausedMs) / 1000;
  }

  async run(): Promise<TrainLoopResult> {
    const { control } = this.options;
    let stopReason: StopReason | undefined;
    try {
      while (stopReason === undefined) {
        const epoch = this.epochsCompleted;
        const epochStartedAt = this.clock();
        const pausedBefore = this.pausedMs;
        const outcome = await this.trainEpoch(epoch);
        this.stream.flush();
        if (outcome.kind === 'interrupted') {
          stopReason = outcome.reason;
          break;
        }
        const validation = this.validation.length > 0 ? await this.evaluator.validate(this.validation, () => control.stopped) : undefined;
        if (validation === 'stopped') {
          stopReason = 'user';
          break;
        }
        stopReason = await this.endEpoch(epoch + 1, outcome, validation, epochStartedAt, pausedBefore);
      }
    } catch (error) {
      this.best.dispose();
      throw error;
    }
    return this.finish(stopReason);
  }

  /** One pass over the training split in the epoch's seeded order. */
  private async trainEpoch(epoch: number): Promise<EpochOutcome> {
    const { control, emit } = this.options;
    const order = shuffleInPlace(Int32Array.from(this.train), mulberry32(epochSeed(this.options.seed, epoch)));
    let lossSum = 0;
    let samples = 0;
    let trainMs = 0;
    for (let b = 0; b < this.batchesPerEpoch; b++) {
      if (control.paused) {
        const pausedAt = this.clock();
        this.stream.flush();
        emit({ type: 'paused' });
        await control.waitWhilePaused();
        this.pausedMs += this.clock() - pausedAt;
        if (!control.stopped) emit({ type: 'resumed' });
      }
      if (control.stopped) return { kind: 'interrupted', reason: 'user' };
      if (this.stopping.outOfTime(this.trainingSeconds())) {
        // A later epoch is dropped; the session's first is cut short and ends here, so that every run has a
        // model and metrics within its time limit even when one epoch takes longer (104,000 words: ~10 min).
        if (this.epochsCompleted > this.firstEpoch) return { kind: 'interrupted', reason: 'time' };
        if (samples > 0) return { kind: 'finished', loss: lossSum / samples, samples, trainMs, cut: true };
      }

      this.scheduleLearningRate(epoch + b / this.batchesPerEpoch);
      const batchStartedAt = this.clock();
      const indices = order.subarray(b * this.batchSize, Math.min((b + 1) * this.batchSize, order.length));
      const loss = await this.trainBatch(indices);
      if (!Number.isFinite(loss)) throw new TrainingDivergedError(loss, epoch + 1, b + 1);
      const batchMs = this.clock() - batchStartedAt;
      trainMs += batchMs;
      samples += indices.length;
      this.sessionTrainMs += batchMs;
      this.sessionTrainSamples += indices.length;
      lossSum += loss * indices.length;
      this.step++;
      this.stream.addBatch(this.step, loss);
      this.stream.maybeSend(this.clock(), b === this.batchesPerEpoch - 1, () => this.progress(epoch, b, samples, trainMs));
      // Lets pause/stop messages in before the next batch (a few microseconds).
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return { kind: 'finished', loss: lossSum / samples, samples, trainMs };
  }

  /** Sets the optimizer's rate for the next batch from how far the run is through its budget. */
  private scheduleLearningRate(epochs: number): void {
    const { learningRate, optimizer } = this.options;
    if (!learningRate || learningRate.schedule === 'constant') return;
    this.currentLearningRate = applyLearningRateSchedule(optimizer, learningRate, {
      epochs,
      epochLimit: this.stopping.epochLimit,
      seconds: this.trainingSeconds(),
      maxSeconds: this.stopping.rule.maxTimeSeconds,
    });
  }

  private trainBatch(indices: Int32Array): Promise<number> | number {
    const { dataset, model, optimizer } = this.options;
    dataset.fillBatch(indices, this.batch);
    const inputs = this.batch.subarray(0, indices.length * this.sampleSize);
    if (this.stepFunction) return this.stepFunction(inputs, indices.length);
    const lossTensor = this.tf.tidy(() => {
      const x = this.tf.tensor(inputs, [indices.length, ...dataset.inputShape]);
      return optimizer.minimize(() => model.loss(x, true), true, model.trainableVariables) as tfType.Scalar;
    });
    const loss = lossTensor.dataSync()[0];
    lossTensor.dispose();
    return loss;
  }

  private progress(epoch: number, batchIndex: number, samples: number, trainMs: number) {
    const sessionRate = this.sessionTrainMs > 0 ? (this.sessionTrainSamples * 1000) / this.sessionTrainMs : 0;
    const remainingSamples =
      (this.stopping.epochLimit - epoch - 1) * this.train.length + Math.max(0, this.train.length - (batchIndex + 1) * this.batchSize);
    let etaSeconds = sessionRate > 0 ? remainingSamples / sessionRate : 0;
    const { maxTimeSeconds } = this.stopping.rule;
    if (maxTimeSeconds > 0) etaSeconds = Math.min(etaSeconds, Math.max(0, maxTimeSeconds - this.trainingSeconds()));
    return {
      epoch: epoch + 1,
      epochs: this.stopping.epochLimit,
      ...(this.stopping.automatic ? { automatic: true } : {}),
      batch: batchIndex + 1,
      batches: this.batchesPerEpoch,
      samplesPerSecond: trainMs > 0 ? (samples * 1000) / trainMs : 0,
      etaSeconds,
      elapsedSeconds: this.trainingSeconds(),
    };
  }

  /** Metrics, early stopping, best weights and pictures of a finished epoch; the reason to stop, if any. */
  private async endEpoch(
    epoch: number,
    outcome: Extract<EpochOutcome, { kind: 'finished' }>,
    validation: ValidationResult | undefined,
    epochStartedAt: number,
    pausedBefore: number,
  ): Promise<StopReason | undefined> {
    const { emit, control } = this.options;
    const validationLoss = validation ? mean(validation.errors) : null;
    // NaN would reach the host as null (JSON) and fail validation there: say what happened instead.
    if (validationLoss !== null && !Number.isFinite(validationLoss)) throw new TrainingDivergedError(validationLoss, epoch, this.batchesPerEpoch);
    this.lastErrors = validation?.errors ?? this.lastErrors;
    const text = this.options.model.text && this.validation.length > 0 ? textMetrics(this.options.tf, this.options.model, this.options.dataset, this.validation) : undefined;
    const improved = this.stopping.observe(epoch, monitoredValue(validationLoss, outcome.loss, text));
    if (improved) {
      this.best.take();
      this.bestValMse = validation?.mse ?? null;
    }
    const reconstructions = this.evaluator.reconstructions(this.previewIndices, epoch);
    const epochSeconds = (this.clock() - epochStartedAt - (this.pausedMs - pausedBefore)) / 1000;
    const trainingSeconds = this.trainingSeconds();
    const stopReason = (outcome.cut ? 'time' : this.stopping.afterEpoch(epoch, trainingSeconds, epochSeconds)) ?? (control.stopped ? 'user' : undefined);
    const codes = this.maybeCodes(epoch, stopReason !== undefined);
    const metrics: EpochMetrics = {
      epoch,
      loss: outcome.loss,
      val_loss: validationLoss,
      ...(validation && validation.mse !== null ? { val_mse: validation.mse } : {}),
      best_epoch: this.stopping.state.bestEpoch,
      // The whole epoch (validation and pictures included), pauses excluded.
      seconds: epochSeconds,
      // Training batches only.
      samples_per_second: outcome.trainMs > 0 ? (outcome.samples * 1000) / outcome.trainMs : 0,
      ...(this.currentLearningRate !== undefined ? { learning_rate: this.currentLearningRate } : {}),
      ...text,
    };
    emit({ type: 'epochEnd', metrics });
    emit({ type: 'reconstructions', data: reconstructions });
    if (codes) emit({ type: 'codes', data: codes });
    this.epochsCompleted = epoch;
    this.finalLoss = outcome.loss;
    // Judged once, at the end: a model may sit at the mean for a while before it learns (measured: the
    // conv preset with BCE on the digits does for its first epochs).
    if (stopReason !== undefined) this.checkConstantOutput();
    await this.options.onEpochEnd?.({
      epoch,
      metrics,
      reconstructions,
      codes,
      improved,
      last: stopReason !== undefined,
      stopping: this.stopping.state,
      trainingSeconds,
      best: this.best,
    });
    return stopReason ?? (control.stopped ? 'user' : undefined);
  }

  private maybeCodes(epoch: number, last: boolean): CodeProjection | undefined {
    const now = this.clock();
    if (!last && now - this.lastCodesAt < CODES_INTERVAL_MS) return undefined;
    this.lastCodesAt = now;
    return this.evaluator.codes(this.codeIndices, epoch);
  }

  /** Once: tells the user when the model does no better than outputting the mean sample. */
  private checkConstantOutput(): void {
    if (this.notices.some((n) => n.code === 'constant-output') || this.bestValMse === null) return;
    if (this.epochsCompleted < CONSTANT_CHECK_EPOCH) return;
    this.constantBaseline ??= meanPredictionMse(this.options.dataset, this.train, this.validation);
    if (this.constantBaseline === null) return;
    const notice = constantOutputNotice(this.bestValMse, this.constantBaseline, this.options.model.config);
    if (!notice) return;
    this.notices.push(notice);
    this.options.emit({ type: 'notice', notice });
  }

  /** Puts the best weights back (the model the run keeps) and reports its worst reconstructions. */
  private finish(stopReason: StopReason): TrainLoopResult {
    const reachedLimit = stopReason !== 'user';
    if (this.best.held) this.best.restore();
    this.best.dispose();
    const anomalies = this.lastErrors ? this.finalAnomalies() : undefined;
    if (anomalies) this.options.emit({ type: 'anomalies', data: anomalies });
    return {
      status: reachedLimit ? 'completed' : 'stopped',
      stopReason,
      epochsCompleted: this.epochsCompleted,
      finalLoss: this.finalLoss,
      bestEpoch: this.stopping.state.bestEpoch,
      bestValMse: this.bestValMse,
      anomalies,
      notices: this.notices,
    };
  }

  /** Inputs, outputs and errors all with the kept weights, so the pictures and numbers agree. */
  private finalAnomalies(): Anomalies {
    const indices = this.evaluationIndices;
    const errors = new Float32Array(indices.length);
    for (let start = 0; start < indices.length; start += this.batchSize) {
      const chunk = indices.subarray(start, Math.min(start + this.batchSize, indices.length));
      // One tidy per chunk: a tidy around the whole loop kept every chunk's activations alive until
      // the end (conv, 6,000 validation images: +113 MB of wasm heap at the run's end).
      const error = this.tf.tidy(() => this.options.model.perSampleError(this.evaluator.inputs(chunk)));
      errors.set(error.dataSync(), start);
      error.dispose();
    }
    return this.evaluator.anomalies(indices, errors, this.options.anomalyCount ?? 8, this.epochsCompleted);
  }
}

/**
 * What early stopping and the kept weights judge an epoch by (lower is better): the validation loss,
 * the training loss without a validation split, and for text the share of held-out characters
 * decoded wrong, since that is what a user reads: measured on the Tang couplets, the validation
 * cross-entropy bottomed out at epoch 7 (8% of characters right) while greedy decoding kept
 * improving to 15% at epoch 14.
 */
function monitoredValue(validationLoss: number | null, trainingLoss: number, text: TextMetrics | undefined): number {
  if (text) return 1 - text.val_char_accuracy;
  return validationLoss ?? trainingLoss;
}

/** `count` indices spread evenly over `from` (all of them when there are fewer). */
function spread(from: Int32Array, count: number): Int32Array {
  if (from.length <= count) return from.slice();
  return Int32Array.from({ length: count }, (_, i) => from[Math.floor((i * from.length) / count)]);
}

/** Up to `count` samples for the code picture: validation samples first, then training ones. */
function codeSample(validation: Int32Array, train: Int32Array, count: number): Int32Array {
  if (validation.length >= count) return spread(validation, count);
  const fromTrain = spread(train, count - validation.length);
  const all = new Int32Array(validation.length + fromTrain.length);
  all.set(validation);
  all.set(fromTrain, validation.length);
  return all;
}

function mean(values: Float32Array): number {
  let sum = 0;
  for (const value of values) sum += value;
  return values.length ? sum / values.length : 0;
}
