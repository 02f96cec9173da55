import type * as tfType from '@tensorflow/tfjs';
import { product, type Dataset } from '../../data/dataset';
import type { BuiltModel } from '../../models/built-model';
import type { Anomalies, CodeProjection, Reconstructions } from '../../protocol/trainer-protocol';
import { projectPca2D } from '../pca';
import { decodeTexts, renderImages } from '../render-samples';
import { textReconstructions } from '../text-metrics';

/** Per-sample validation figures of one epoch. */
export interface ValidationResult {
  /** The model's loss per sample (its objective without noise or penalties). */
  errors: Float32Array;
  /** Mean squared reconstruction error over all samples and values; null for text. */
  mse: number | null;
}

/**
 * What the loop asks of the model between training batches: the validation errors, the pictures of
 * reconstructions, the code projection and the worst-reconstructed samples. Forward passes only, in
 * batches through one reused input buffer.
 */
export class Evaluator {
  private readonly sampleSize: number;
  private readonly batch: Float32Array;

  constructor(
    private readonly tf: typeof tfType,
    private readonly dataset: Dataset,
    private readonly model: BuiltModel,
    private readonly batchSize: number,
  ) {
    this.sampleSize = product(dataset.inputShape);
    this.batch = new Float32Array(batchSize * this.sampleSize);
  }

  inputs(indices: ArrayLike<number>): tfType.Tensor {
    this.dataset.fillBatch(indices, this.batch);
    return this.tf.tensor(this.batch.subarray(0, indices.length * this.sampleSize), [indices.length, ...this.dataset.inputShape]);
  }

  /** Errors and MSE over `indices`; 'stopped' when `stopped()` turns true between batches. */
  async validate(indices: Int32Array, stopped: () => boolean): Promise<ValidationResult | 'stopped'> {
    const { tf, model } = this;
    const withMse = this.dataset.kind !== 'text';
    const errors = new Float32Array(indices.length);
    let squaredSum = 0;
    for (const [start, chunk] of this.chunks(indices)) {
      const [error, squared] = tf.tidy(() => {
        const x = this.inputs(chunk);
        const perSample = model.perSampleError(x);
        if (!withMse) return [perSample, undefined];
        const output = model.autoencoder.apply(x) as tfType.Tensor;
        return [perSample, tf.sum(tf.squaredDifference(output, x))];
      });
      errors.set(error.dataSync(), start);
      if (squared) squaredSum += squared.dataSync()[0];
      tf.dispose([error, squared]);
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (stopped()) return 'stopped';
    }
    return { errors, mse: withMse && indices.length > 0 ? squaredSum / (indices.length * this.sampleSize) : null };
  }

  /** Inputs and reconstructions of `indices` as the lab shows them (images or strings). */
  reconstructions(indices: Int32Array, epoch: number): Reconstructions {
    const { tf, model, dataset, sampleSize } = this;
    // Text models decode greedily, as a user gets them (their autoencoder model is teacher-forced).
    if (model.text) return textReconstructions(tf, model, dataset, indices, epoch);
    const inputs = new Float32Array(indices.length * sampleSize);
    const outputs = new Float32Array(indices.length * sampleSize);
    const errors: number[] = [];
    for (const [start, chunk] of this.chunks(indices)) {
      const [output, error] = tf.tidy(() => {
        const x = this.inputs(chunk);
        return [model.autoencoder.apply(x) as tfType.Tensor, model.perSampleError(x)];
      });
      inputs.set(this.batch.subarray(0, chunk.length * sampleSize), start * sampleSize);
      outputs.set(output.dataSync(), start * sampleSize);
      errors.push(...error.dataSync());
      tf.dispose([output, error]);
    }
    const base = { epoch, indices: Array.from(indices), errors };
    if (dataset.kind === 'text') {
      const original = dataset.text ? Array.from(indices, (i) => dataset.text!(i)) : decodeTexts(inputs, indices.length, dataset);
      const decoded = decodeTexts(outputs, indices.length, dataset);
      return { ...base, texts: original.map((input, i) => ({ input, output: decoded[i] })) };
    }
    return { ...base, inputs: renderImages(inputs, indices.length, dataset), outputs: renderImages(outputs, indices.length, dataset) };
  }

  /** The codes of `indices` projected to 2-D (PCA), with labels when the data has them. */
  codes(indices: Int32Array, epoch: number): CodeProjection | undefined {
    if (indices.length < 2) return undefined;
    const { tf, model, dataset } = this;
    let codes: Float32Array | undefined;
    let width = 0;
    for (const [start, chunk] of this.chunks(indices)) {
      const code = tf.tidy(() => (model.encoder.apply(this.inputs(chunk)) as tfType.Tensor).reshape([chunk.length, -1]) as tfType.Tensor2D);
      width = code.shape[1];
      codes ??= new Float32Array(indices.length * width);
      codes.set(code.dataSync(), start * width);
      code.dispose();
    }
    const { points } = projectPca2D(codes!, indices.length, width);
    const labels = dataset.labels ? Array.from(indices, (i) => dataset.labels![i]) : undefined;
    return {
      epoch,
      // Five significant digits are plenty for a scatter plot and keep the message small.
      points: points.map((v) => (Number.isFinite(v) ? Number(v.toPrecision(5)) : 0)),
      ...(labels ? { labels } : {}),
      ...(dataset.classNames ? { classNames: [...dataset.classNames] } : {}),
    };
  }

  /** The `count` samples of `indices` with the largest `errors`, pictured with the current weights. */
  anomalies(indices: Int32Array, errors: Float32Array, count: number, epoch: number): Anomalies {
    const ranked = Array.from(errors.keys()).sort((a, b) => errors[b] - errors[a] || a - b);
    const worst = Int32Array.from(ranked.slice(0, Math.min(count, errors.length)), (position) => indices[position]);
    const view = this.reconstructions(worst, epoch);
    return { indices: view.indices, errors: view.errors, inputs: view.inputs, outputs: view.outputs, texts: view.texts };
  }

  private *chunks(indices: Int32Array): Generator<[number, Int32Array]> {
    for (let start = 0; start < indices.length; start += this.batchSize) {
      yield [start, indices.subarray(start, Math.min(start + this.batchSize, indices.length))];
    }
  }
}
