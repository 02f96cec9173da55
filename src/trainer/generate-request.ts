import type * as tfType from '@tensorflow/tfjs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Dataset } from '../data/dataset';
import { gaussian, mulberry32, sampleIndices } from '../data/random';
import { loadModel, type LoadedModel } from '../models/persist';
import type { ImageBatch, ToTrainerParsed } from '../protocol/trainer-protocol';
import { openCachedDataset } from './dataset-cache';
import { projectPca2D } from './pca';
import { decodeTexts, renderImages } from './render-samples';
import { CONFIG_FILE, MODEL_DIR, readJsonFile, type RunConfigFile } from './run-folder';

/**
 * The `generate` request: decodes points of a saved run's code space.
 *   interpolate  `steps` codes on the line from sample a's code to sample b's
 *   prior        `steps` random codes: N(0, I) for a VAE, else a normal fitted to the data's codes
 *   grid         steps × steps codes over the two principal axes of the data's codes (±2 σ)
 * The run's models and its code statistics are kept for the next request on the same run.
 */

type GenerateRequest = Extract<ToTrainerParsed, { type: 'generate' }>;

const CODE_SAMPLE = 500;

interface LoadedRun {
  runDir: string;
  savedAt: number;
  preset: string;
  dataset: Dataset;
  models: LoadedModel;
  /** Codes of up to CODE_SAMPLE samples, flattened, and their statistics. */
  codeWidth: number;
  codeShape: number[];
  codeMean: Float64Array;
  codeStd: Float64Array;
  axes: [Float64Array, Float64Array];
  axisStd: [number, number];
}

let loaded: LoadedRun | undefined;
let draws = 0;

export async function generateFromRun(tf: typeof tfType, request: GenerateRequest): Promise<{ images?: ImageBatch; texts?: string[] }> {
  const run = await loadRun(tf, request.runDir);
  const steps = request.steps;
  let codes: Float32Array;
  let count: number;
  if (request.mode === 'interpolate') {
    const a = request.a ?? 0;
    const b = request.b ?? Math.min(1, run.dataset.count - 1);
    for (const index of [a, b]) {
      if (index >= run.dataset.count) throw new Error(`sample ${index} does not exist: the dataset has ${run.dataset.count} samples`);
    }
    const ends = encode(tf, run, Int32Array.of(a, b));
    count = steps;
    codes = new Float32Array(count * run.codeWidth);
    for (let s = 0; s < steps; s++) {
      const t = s / (steps - 1);
      for (let c = 0; c < run.codeWidth; c++) codes[s * run.codeWidth + c] = (1 - t) * ends[c] + t * ends[run.codeWidth + c];
    }
  } else if (request.mode === 'prior') {
    const random = mulberry32(0x6e6 + draws++);
    const vae = run.preset === 'vae';
    count = steps;
    codes = new Float32Array(count * run.codeWidth);
    for (let i = 0; i < codes.length; i++) {
      const c = i % run.codeWidth;
      codes[i] = vae ? gaussian(random) : run.codeMean[c] + run.codeStd[c] * gaussian(random);
    }
  } else {
    count = steps * steps;
    codes = new Float32Array(count * run.codeWidth);
    for (let row = 0; row < steps; row++) {
      for (let column = 0; column < steps; column++) {
        const u = (-2 + (4 * column) / (steps - 1)) * run.axisStd[0];
        const v = (2 - (4 * row) / (steps - 1)) * run.axisStd[1];
        const offset = (row * steps + column) * run.codeWidth;
        for (let c = 0; c < run.codeWidth; c++) codes[offset + c] = run.codeMean[c] + u * run.axes[0][c] + v * run.axes[1][c];
      }
    }
  }

  const decoded = tf.tidy(() => {
    const output = run.models.decoder.predict(tf.tensor(codes, [count, ...run.codeShape])) as tfType.Tensor;
    return output.dataSync() as Float32Array;
  });
  if (run.dataset.kind === 'text') return { texts: decodeTexts(decoded, count, run.dataset) };
  const images = renderImages(decoded, count, run.dataset);
  return images ? { images } : {};
}

async function loadRun(tf: typeof tfType, runDir: string): Promise<LoadedRun> {
  // A run trained further (resumed) since it was loaded has a newer model: load it again.
  const savedAt = await stat(join(runDir, MODEL_DIR, 'decoder', 'model.json')).then((s) => s.mtimeMs, () => 0);
  if (loaded?.runDir === runDir && loaded.savedAt === savedAt) return loaded;
  const config = await readJsonFile<RunConfigFile>(join(runDir, CONFIG_FILE));
  if (!config) throw new Error(`${runDir}: not a run folder (no ${CONFIG_FILE})`);
  const { dataset } = await openCachedDataset(config.dataset);
  let models: LoadedModel;
  try {
    models = await loadModel(join(runDir, MODEL_DIR));
  } catch (error) {
    throw new Error(`${runDir}: the run has no saved model yet (${(error as Error).message})`);
  }
  disposeLoaded();
  const codeShape = models.decoder.inputs[0].shape.slice(1).map((d) => d ?? 1);
  const codeWidth = codeShape.reduce((a, b) => a * b, 1);
  const partial: LoadedRun = {
    runDir,
    savedAt,
    preset: String(config.config.preset ?? ''),
    dataset,
    models,
    codeWidth,
    codeShape,
    codeMean: new Float64Array(codeWidth),
    codeStd: new Float64Array(codeWidth).fill(1),
    axes: [new Float64Array(codeWidth), new Float64Array(codeWidth)],
    axisStd: [1, 1],
  };
  const indices = sampleIndices(dataset.count, CODE_SAMPLE, mulberry32(1));
  const sample = encode(tf, partial, indices);
  const pca = projectPca2D(sample, indices.length, codeWidth);
  for (let c = 0; c < codeWidth; c++) {
    let variance = 0;
    for (let r = 0; r < indices.length; r++) variance += (sample[r * codeWidth + c] - pca.mean[c]) ** 2;
    partial.codeStd[c] = Math.sqrt(variance / Math.max(1, indices.length - 1));
  }
  partial.codeMean = pca.mean;
  partial.axes = pca.axes;
  partial.axisStd = [Math.sqrt(pca.variances[0]), Math.sqrt(pca.variances[1])];
  loaded = partial;
  return partial;
}

/** Flattened codes of the given samples, in batches. */
function encode(tf: typeof tfType, run: Pick<LoadedRun, 'dataset' | 'models' | 'codeWidth'>, indices: Int32Array): Float32Array {
  const { dataset } = run;
  const sampleSize = dataset.inputShape.reduce((a, b) => a * b, 1);
  const batchSize = 128;
  const buffer = new Float32Array(batchSize * sampleSize);
  const codes = new Float32Array(indices.length * run.codeWidth);
  for (let start = 0; start < indices.length; start += batchSize) {
    const chunk = indices.subarray(start, Math.min(start + batchSize, indices.length));
    dataset.fillBatch(chunk, buffer);
    const values = tf.tidy(() => {
      const x = tf.tensor(buffer.subarray(0, chunk.length * sampleSize), [chunk.length, ...dataset.inputShape]);
      const output = run.models.encoder.predict(x);
      // An encoder with several outputs (mean, log-variance, …) gives its first, the code.
      return (Array.isArray(output) ? output[0] : output).dataSync() as Float32Array;
    });
    codes.set(values, start * run.codeWidth);
  }
  return codes;
}

function disposeLoaded(): void {
  if (!loaded) return;
  for (const model of [loaded.models.autoencoder, loaded.models.encoder, loaded.models.decoder]) model.dispose();
  loaded = undefined;
}
