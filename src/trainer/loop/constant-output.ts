import { product, type Dataset } from '../../data/dataset';
import type { RunNotice } from '../../protocol/trainer-protocol';

/** How close to the mean-image error counts as "the same output for every input". */
const CONSTANT_RATIO = 0.9;
/** Fewer epochs than this are not judged: every model starts near the mean. */
export const CONSTANT_CHECK_EPOCH = 5;

/**
 * The validation MSE of the best constant output: always predicting the training samples' mean.
 * A model that does no better has learned nothing about its inputs (the conv preset trained with MSE
 * on sparse strokes ends there). Mean over up to 2,000 training samples, error over the validation set.
 */
export function meanPredictionMse(dataset: Dataset, train: Int32Array, validation: Int32Array): number | null {
  if (dataset.kind === 'text' || validation.length === 0) return null;
  const size = product(dataset.inputShape);
  const mean = new Float64Array(size);
  const buffer = new Float32Array(size);
  const sampleCount = Math.min(train.length, 2000);
  for (let k = 0; k < sampleCount; k++) {
    dataset.fillBatch([train[Math.floor((k * train.length) / sampleCount)]], buffer);
    for (let j = 0; j < size; j++) mean[j] += buffer[j] / sampleCount;
  }
  let squared = 0;
  for (const index of validation) {
    dataset.fillBatch([index], buffer);
    for (let j = 0; j < size; j++) squared += (buffer[j] - mean[j]) ** 2;
  }
  return squared / (validation.length * size);
}

/** A notice for the user when the best validation MSE is no better than the constant output's. */
export function constantOutputNotice(bestMse: number, baseline: number, config: { preset: string; loss: string }): RunNotice | undefined {
  if (!(baseline > 0) || bestMse < CONSTANT_RATIO * baseline) return undefined;
  const advice = config.loss === 'mse' ? 'bce' : 'learning-rate';
  const adviceText =
    advice === 'bce'
      ? 'Try loss bce (binary cross-entropy, for images with sparse strokes), a lower learning rate or the dense preset.'
      : 'Try a lower learning rate, a larger codeSize or the dense preset.';
  return {
    code: 'constant-output',
    valMse: bestMse,
    baselineMse: baseline,
    advice,
    message:
      `The ${config.preset} model outputs about the same picture for every input: its validation MSE ` +
      `${bestMse.toPrecision(3)} is no better than always predicting the mean sample (${baseline.toPrecision(3)}). ${adviceText}`,
  };
}
