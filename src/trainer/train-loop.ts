import type * as tfType from '@tensorflow/tfjs';
import { product, type Dataset } from '../data/dataset';
import { mulberry32, shuffleInPlace } from '../data/random';
import type {
  Anomalies,
  CodeProjection,
  EpochMetrics,
  FromTrainer,
  Reconstructions,
} from '../protocol/trainer-protocol';
import { projectPca2D } from './pca';
import { decodeTexts, renderImages } from './render-samples';
import type { BuiltModel } from '../models/built-model';
import type { TrainControl } from './train-control';
import { textMetrics, textReconstructions } from './text-metrics';

/**
 * The training loop: a custom loop rather than model.fit, so that pause/stop are obeyed between
 * batches, the per-batch cost is only what training needs, and messages are throttled.
 *
 * Per batch: the seeded epoch order picks the indices, dataset.fillBatch writes them into one
 * preallocated Float32Array, one tensor is made from it, optimizer.minimize runs inside tf.tidy,
 * the loss scalar is read (every backend we run on computes synchronously, so this read costs a
 * 4-byte copy, not a pipeline stall: measured, see the report), and the loop yields to the event
 * loop with setImmediate so that pause/stop messages get in.
 * Per epoch: the validation loss over the validation split in batches, the reconstructions of a
 * fixed set of validation samples, and a PCA projection of the codes of up to 500 samples.
 * At the end: the validation samples the model reconstructs worst (anomalies).
 */

export interface TrainLoopOptions {
  tf: typeof tfType;
  dataset: Dataset;
  model: BuiltModel;
  optimizer: tfType.Optimizer;
  trainIndices: Int32Array;
  validationIndices: Int32Array;
  batchSize: number;
  /** Total epochs of the run (including those done before a resume). */
  epochs: number;
  seed: number;
  /** Epochs already finished (resume from a checkpoint). */
  startEpoch?: number;
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
  /** After each finished epoch (metrics appended, checkpoint written): awaited before the next epoch. */
  onEpochEnd?(epoch: EpochArtifacts): Promise<void>;
  /** Milliseconds; default performance.now. */
  clock?: () => number;
  /**
   * Runs each optimizer step instead of the plain `optimizer.minimize` (data-parallel training,
   * src/trainer/parallel/): given the batch's inputs, it updates the weights and returns the loss.
   */
  step?(inputs: Float32Array, count: number): Promise<number>;
}

export interface EpochArtifacts {
  /** 1-based count of finished epochs. */
  epoch: number;
  metrics: EpochMetrics;
  reconstructions: Reconstructions;
  codes?: CodeProjection;
}

export interface TrainLoopResult {
  status: 'completed' | 'stopped';
  epochsCompleted: number;
  /** The last finished epoch's training loss (null when no epoch finished). */
  finalLoss: number | null;
  anomalies?: Anomalies;
}

/** Smoothing of the per-batch loss series (exponential moving average, bias-corrected). */
const EMA_BETA = 0.9;

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

export async function runTrainingLoop(options: TrainLoopOptions): Promise<TrainLoopResult> {
  const { tf, dataset, model, optimizer, control, emit } = options;
  const clock = options.clock ?? (() => performance.now());
  const inputShape = [...dataset.inputShape];
  const sampleSize = product(inputShape);
  const train = options.trainIndices;
  if (train.length === 0) throw new Error(`${dataset.source}: no samples left to train on after the validation split`);
  const batchSize = Math.max(1, Math.min(options.batchSize, train.length));
  const batchesPerEpoch = Math.ceil(train.length / batchSize);
  const startEpoch = options.startEpoch ?? 0;
  const progressIntervalMs = options.progressIntervalMs ?? 100;
  const evaluationIndices = options.validationIndices.length > 0 ? options.validationIndices : train;
  const previewIndices = spread(evaluationIndices, options.previewCount ?? 8);
  const codeIndices = codeSample(options.validationIndices, train, options.codeSampleCount ?? 500);
  const batch = new Float32Array(batchSize * sampleSize);

  const inputsTensor = (indices: ArrayLike<number>): tfType.Tensor => {
    dataset.fillBatch(indices, batch);
    return tf.tensor(batch.subarray(0, indices.length * sampleSize), [indices.length, ...inputShape]);
  };

  let step = startEpoch * batchesPerEpoch;
  let ema = 0;
  let emaSteps = 0;
  let pendingSteps: number[] = [];
  let pendingLosses: number[] = [];
  let lastProgressAt = -Infinity;
  let sessionTrainMs = 0;
  let sessionTrainSamples = 0;
  let pausedMs = 0;
  const runStartedAt = clock();
  let epochsCompleted = startEpoch;
  let finalLoss: number | null = null;
  let lastErrors: Float32Array | undefined;

  const remainingSamples = (epoch: number, batchIndex: number) =>
    (options.epochs - epoch - 1) * train.length + Math.max(0, train.length - (batchIndex + 1) * batchSize);

  for (let epoch = startEpoch; epoch < options.epochs; epoch++) {
    const order = shuffleInPlace(Int32Array.from(train), mulberry32(epochSeed(options.seed, epoch)));
    const epochStartedAt = clock();
    let epochPausedMs = 0;
    let epochTrainMs = 0;
    let epochSamples = 0;
    let lossSum = 0;
    let stoppedMidEpoch = false;

    for (let b = 0; b < batchesPerEpoch; b++) {
      if (control.paused) {
        const pausedAt = clock();
        flush();
        emit({ type: 'paused' });
        await control.waitWhilePaused();
        const pause = clock() - pausedAt;
        epochPausedMs += pause;
        pausedMs += pause;
        if (!control.stopped) emit({ type: 'resumed' });
      }
      if (control.stopped) {
        stoppedMidEpoch = true;
        break;
      }

      const batchStartedAt = clock();
      const indices = order.subarray(b * batchSize, Math.min((b + 1) * batchSize, order.length));
      const loss = options.step ? await customStep(indices) : plainStep(indices);
      const batchMs = clock() - batchStartedAt;
      if (!Number.isFinite(loss)) throw new TrainingDivergedError(loss, epoch + 1, b + 1);

      epochTrainMs += batchMs;
      epochSamples += indices.length;
      sessionTrainMs += batchMs;
      sessionTrainSamples += indices.length;
      lossSum += loss * indices.length;
      step++;
      emaSteps++;
      ema = EMA_BETA * ema + (1 - EMA_BETA) * loss;
      pendingSteps.push(step);
      pendingLosses.push(ema / (1 - EMA_BETA ** emaSteps));

      const now = clock();
      if (now - lastProgressAt >= progressIntervalMs || b === batchesPerEpoch - 1) {
        lastProgressAt = now;
        flush();
        const samplesPerSecond = epochTrainMs > 0 ? (epochSamples * 1000) / epochTrainMs : 0;
        const sessionRate = sessionTrainMs > 0 ? (sessionTrainSamples * 1000) / sessionTrainMs : 0;
        emit({
          type: 'progress',
          epoch: epoch + 1,
          epochs: options.epochs,
          batch: b + 1,
          batches: batchesPerEpoch,
          samplesPerSecond,
          etaSeconds: sessionRate > 0 ? remainingSamples(epoch, b) / sessionRate : 0,
          elapsedSeconds: (now - runStartedAt - pausedMs) / 1000,
        });
      }
      // Lets pause/stop messages in before the next batch (a few microseconds; measured in the report).
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    flush();
    if (stoppedMidEpoch) break;

    const validation = options.validationIndices.length > 0 ? await evaluate(options.validationIndices) : undefined;
    if (validation === 'stopped') break;
    lastErrors = validation ?? lastErrors;
    const loss = lossSum / epochSamples;
    const validationLoss = validation ? mean(validation) : null;
    // NaN would reach the host as null (JSON) and fail validation there: say what happened instead.
    if (validationLoss !== null && !Number.isFinite(validationLoss)) throw new TrainingDivergedError(validationLoss, epoch + 1, batchesPerEpoch);
    const reconstructions = reconstruct(previewIndices, epoch + 1);
    const codes = projectCodes(epoch + 1);
    const metrics: EpochMetrics = {
      epoch: epoch + 1,
      loss,
      val_loss: validationLoss,
      // The whole epoch (validation, reconstructions and codes included), pauses excluded.
      seconds: (clock() - epochStartedAt - epochPausedMs) / 1000,
      // Training batches only.
      samples_per_second: epochTrainMs > 0 ? (epochSamples * 1000) / epochTrainMs : 0,
      ...(model.text && options.validationIndices.length > 0 ? textMetrics(tf, model, dataset, options.validationIndices) : {}),
    };
    emit({ type: 'epochEnd', metrics });
    emit({ type: 'reconstructions', data: reconstructions });
    if (codes) emit({ type: 'codes', data: codes });
    epochsCompleted = epoch + 1;
    finalLoss = loss;
    await options.onEpochEnd?.({ epoch: epoch + 1, metrics, reconstructions, codes });
    if (control.stopped) break;
  }

  const status = control.stopped && epochsCompleted < options.epochs ? 'stopped' : 'completed';
  const anomalies = lastErrors ? findAnomalies(lastErrors) : undefined;
  if (anomalies) emit({ type: 'anomalies', data: anomalies });
  return { status, epochsCompleted, finalLoss, anomalies };

  function plainStep(indices: Int32Array): number {
    const lossTensor = tf.tidy(() => {
      const inputs = inputsTensor(indices);
      return optimizer.minimize(() => model.loss(inputs, true), true, model.trainableVariables) as tfType.Scalar;
    });
    const loss = lossTensor.dataSync()[0];
    lossTensor.dispose();
    return loss;
  }

  function customStep(indices: Int32Array): Promise<number> {
    dataset.fillBatch(indices, batch);
    return options.step!(batch.subarray(0, indices.length * sampleSize), indices.length);
  }

  function flush(): void {
    if (pendingSteps.length === 0) return;
    emit({ type: 'batchLoss', steps: pendingSteps, losses: pendingLosses });
    pendingSteps = [];
    pendingLosses = [];
  }

  /** Per-sample errors over the given samples, in batches; 'stopped' if a stop came in meanwhile. */
  async function evaluate(indices: Int32Array): Promise<Float32Array | 'stopped'> {
    const errors = new Float32Array(indices.length);
    for (let start = 0; start < indices.length; start += batchSize) {
      const chunk = indices.subarray(start, Math.min(start + batchSize, indices.length));
      const values = tf.tidy(() => model.perSampleError(inputsTensor(chunk)));
      errors.set(values.dataSync(), start);
      values.dispose();
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (control.stopped) return 'stopped';
    }
    return errors;
  }

  function predict(indices: Int32Array): { inputs: Float32Array; outputs: Float32Array; errors: number[] } {
    const inputs = new Float32Array(indices.length * sampleSize);
    const outputs = new Float32Array(indices.length * sampleSize);
    const errors: number[] = [];
    for (let start = 0; start < indices.length; start += batchSize) {
      const chunk = indices.subarray(start, Math.min(start + batchSize, indices.length));
      const [output, error] = tf.tidy(() => {
        const x = inputsTensor(chunk);
        return [model.autoencoder.apply(x) as tfType.Tensor, model.perSampleError(x)];
      });
      inputs.set(batch.subarray(0, chunk.length * sampleSize), start * sampleSize);
      outputs.set(output.dataSync(), start * sampleSize);
      errors.push(...error.dataSync());
      tf.dispose([output, error]);
    }
    return { inputs, outputs, errors };
  }

  function samplesView(indices: Int32Array, epoch: number): Reconstructions {
    if (model.text) return textReconstructions(tf, model, dataset, indices, epoch);
    const { inputs, outputs, errors } = predict(indices);
    const base = { epoch, indices: Array.from(indices), errors };
    if (dataset.kind === 'text') {
      const original = dataset.text ? Array.from(indices, (i) => dataset.text!(i)) : decodeTexts(inputs, indices.length, dataset);
      const decoded = decodeTexts(outputs, indices.length, dataset);
      return { ...base, texts: original.map((input, i) => ({ input, output: decoded[i] })) };
    }
    return {
      ...base,
      inputs: renderImages(inputs, indices.length, dataset),
      outputs: renderImages(outputs, indices.length, dataset),
    };
  }

  function reconstruct(indices: Int32Array, epoch: number): Reconstructions {
    return samplesView(indices, epoch);
  }

  function projectCodes(epoch: number): CodeProjection | undefined {
    if (codeIndices.length < 2) return undefined;
    let codes: Float32Array | undefined;
    let width = 0;
    for (let start = 0; start < codeIndices.length; start += batchSize) {
      const chunk = codeIndices.subarray(start, Math.min(start + batchSize, codeIndices.length));
      const code = tf.tidy(() => {
        const output = model.encoder.apply(inputsTensor(chunk)) as tfType.Tensor;
        return output.reshape([chunk.length, -1]) as tfType.Tensor2D;
      });
      width = code.shape[1];
      codes ??= new Float32Array(codeIndices.length * width);
      codes.set(code.dataSync(), start * width);
      code.dispose();
    }
    const { points } = projectPca2D(codes!, codeIndices.length, width);
    const labels = dataset.labels ? Array.from(codeIndices, (i) => dataset.labels![i]) : undefined;
    return {
      epoch,
      // Five significant digits are plenty for a scatter plot and keep the message small.
      points: points.map((v) => (Number.isFinite(v) ? Number(v.toPrecision(5)) : 0)),
      ...(labels ? { labels } : {}),
      ...(dataset.classNames ? { classNames: [...dataset.classNames] } : {}),
    };
  }

  function findAnomalies(errors: Float32Array): Anomalies {
    const count = Math.min(options.anomalyCount ?? 8, errors.length);
    const ranked = Array.from(errors.keys()).sort((a, b) => errors[b] - errors[a] || a - b);
    const worst = Int32Array.from(ranked.slice(0, count), (position) => evaluationIndices[position]);
    // Inputs, outputs and errors all with the final weights, so the pictures and numbers agree.
    const view = samplesView(worst, epochsCompleted);
    return { indices: view.indices, errors: view.errors, inputs: view.inputs, outputs: view.outputs, texts: view.texts };
  }
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
