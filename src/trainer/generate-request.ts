import type * as tfType from '@tensorflow/tfjs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Dataset } from '../data/dataset';
import { gaussian, mulberry32, sampleIndices } from '../data/random';
import { decodeCharacterIndices, encodeLine } from '../data/readers/text';
import { loadModel, type LoadedModel } from '../models/persist';
import { textCodec, type TextCodec } from '../models/seq2seq/text-codec';
import type { ImageBatch, Neighbour, ToTrainerParsed } from '../protocol/trainer-protocol';
import { openCachedDataset } from './dataset-cache';
import { projectPca2D } from './pca';
import { renderImages } from './render-samples';
import { CONFIG_FILE, MODEL_DIR, readJsonFile, type RunConfigFile } from './run-folder';

/**
 * The `generate` request: decodes points of a saved run's code space.
 *   interpolate  `steps` codes on the line from sample a's code to sample b's
 *   prior        `steps` random codes: N(0, I) for a VAE (and a variational sequence model), else a
 *                normal fitted to the data's codes
 *   grid         steps × steps codes over the two principal axes of the data's codes (±2 σ)
 *   nearest      text: the `steps` lines whose codes are nearest to sample a's (among the coded sample)
 * Text is decoded greedily; lines typed in (textA, textB) can stand for the samples a and b.
 * The run's models and its code statistics are kept for the next request on the same run.
 */

type GenerateRequest = Extract<ToTrainerParsed, { type: 'generate' }>;

/** Samples coded for the statistics (and, for text, searched for nearest lines). */
const CODE_SAMPLE = 2000;

interface LoadedRun {
  runDir: string;
  savedAt: number;
  preset: string;
  /** Its prior is N(0, I): a VAE or a variational sequence model. */
  variational: boolean;
  dataset: Dataset;
  models: LoadedModel;
  text?: TextCodec;
  /** Codes of up to CODE_SAMPLE samples, flattened, and their statistics. */
  sampleIndices: Int32Array;
  sampleCodes: Float32Array;
  codeWidth: number;
  codeShape: number[];
  codeMean: Float64Array;
  codeStd: Float64Array;
  axes: [Float64Array, Float64Array];
  axisStd: [number, number];
}

let loaded: LoadedRun | undefined;
let draws = 0;

export async function generateFromRun(
  tf: typeof tfType,
  request: GenerateRequest,
): Promise<{ images?: ImageBatch; texts?: string[]; neighbours?: Neighbour[] }> {
  const run = await loadRun(tf, request.runDir);
  const steps = request.steps;
  const count = run.dataset.count;
  const endCode = (index: number | undefined, text: string | undefined, fallback: number): Float32Array => {
    if (text !== undefined) {
      if (!run.text) throw new Error('lines can be typed in only for text runs');
      return encodeCodes(tf, run, encodeLine(text, run.dataset.vocabulary ?? [], run.text.maxLength), 1);
    }
    const sample = index ?? fallback;
    if (sample >= count) throw new Error(`sample ${sample} does not exist: the dataset has ${count} samples`);
    return encodeSamples(tf, run, Int32Array.of(sample));
  };

  if (request.mode === 'nearest') {
    if (!run.text) throw new Error('nearest lines are for text runs; this run was trained on ' + run.dataset.kind);
    return { neighbours: nearestLines(run, endCode(request.a, request.textA, 0), steps) };
  }
  let codes: Float32Array;
  let decodeCount: number;
  if (request.mode === 'interpolate') {
    const a = endCode(request.a, request.textA, 0);
    const b = endCode(request.b, request.textB, Math.min(1, count - 1));
    decodeCount = steps;
    codes = new Float32Array(decodeCount * run.codeWidth);
    for (let s = 0; s < steps; s++) {
      const t = s / (steps - 1);
      for (let c = 0; c < run.codeWidth; c++) codes[s * run.codeWidth + c] = (1 - t) * a[c] + t * b[c];
    }
  } else if (request.mode === 'prior') {
    const random = mulberry32(0x6e6 + draws++);
    decodeCount = steps;
    codes = new Float32Array(decodeCount * run.codeWidth);
    for (let i = 0; i < codes.length; i++) {
      const c = i % run.codeWidth;
      codes[i] = run.variational ? gaussian(random) : run.codeMean[c] + run.codeStd[c] * gaussian(random);
    }
  } else {
    decodeCount = steps * steps;
    codes = new Float32Array(decodeCount * run.codeWidth);
    for (let row = 0; row < steps; row++) {
      for (let column = 0; column < steps; column++) {
        const u = (-2 + (4 * column) / (steps - 1)) * run.axisStd[0];
        const v = (2 - (4 * row) / (steps - 1)) * run.axisStd[1];
        const offset = (row * steps + column) * run.codeWidth;
        for (let c = 0; c < run.codeWidth; c++) codes[offset + c] = run.codeMean[c] + u * run.axes[0][c] + v * run.axes[1][c];
      }
    }
  }

  if (run.text) return { texts: decodeTextCodes(tf, run, run.text, codes, decodeCount) };
  const decoded = tf.tidy(() => {
    const output = run.models.decoder.predict(tf.tensor(codes, [decodeCount, ...run.codeShape])) as tfType.Tensor;
    return output.dataSync() as Float32Array;
  });
  const images = renderImages(decoded, decodeCount, run.dataset);
  return images ? { images } : {};
}

function decodeTextCodes(tf: typeof tfType, run: LoadedRun, codec: TextCodec, codes: Float32Array, count: number): string[] {
  const codeTensor = tf.tensor2d(codes, [count, run.codeWidth]);
  const ids = codec.decode(codeTensor);
  codeTensor.dispose();
  const vocabulary = run.dataset.vocabulary ?? [];
  return Array.from({ length: count }, (_, i) => decodeCharacterIndices(ids.subarray(i * codec.maxLength, (i + 1) * codec.maxLength), vocabulary));
}

/** The `count` coded samples nearest to `code` (the line itself first when it is one of them). */
function nearestLines(run: LoadedRun, code: Float32Array, count: number): Neighbour[] {
  const width = run.codeWidth;
  const distances = Array.from(run.sampleIndices, (index, k) => {
    let sum = 0;
    for (let c = 0; c < width; c++) sum += (run.sampleCodes[k * width + c] - code[c]) ** 2;
    return { index, distance: Math.sqrt(sum) };
  });
  distances.sort((x, y) => x.distance - y.distance || x.index - y.index);
  const vocabulary = run.dataset.vocabulary ?? [];
  return distances.slice(0, count).map(({ index, distance }) => ({
    index,
    text: run.dataset.text?.(index) ?? decodeCharacterIndices(run.dataset.sample(index), vocabulary),
    distance: Number(distance.toPrecision(5)),
  }));
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
  const preset = String(config.config.preset ?? '');
  const text = dataset.kind === 'text' && preset === 'sequence' ? textCodec(models.encoder, models.decoder, dataset.inputShape[0]) : undefined;
  // The code is the decoder's (first) input.
  const codeShape = models.decoder.inputs[0].shape.slice(1).map((d) => d ?? 1);
  const codeWidth = codeShape.reduce((a, b) => a * b, 1);
  const indices = sampleIndices(dataset.count, CODE_SAMPLE, mulberry32(1));
  const partial: LoadedRun = {
    runDir,
    savedAt,
    preset,
    variational: preset === 'vae' || (preset === 'sequence' && config.config.variational === true),
    dataset,
    models,
    text,
    sampleIndices: indices,
    sampleCodes: new Float32Array(0),
    codeWidth,
    codeShape,
    codeMean: new Float64Array(codeWidth),
    codeStd: new Float64Array(codeWidth).fill(1),
    axes: [new Float64Array(codeWidth), new Float64Array(codeWidth)],
    axisStd: [1, 1],
  };
  const sample = encodeSamples(tf, partial, indices);
  const pca = projectPca2D(sample, indices.length, codeWidth);
  for (let c = 0; c < codeWidth; c++) {
    let variance = 0;
    for (let r = 0; r < indices.length; r++) variance += (sample[r * codeWidth + c] - pca.mean[c]) ** 2;
    partial.codeStd[c] = Math.sqrt(variance / Math.max(1, indices.length - 1));
  }
  partial.sampleCodes = sample;
  partial.codeMean = pca.mean;
  partial.axes = pca.axes;
  partial.axisStd = [Math.sqrt(pca.variances[0]), Math.sqrt(pca.variances[1])];
  loaded = partial;
  return partial;
}

/** Codes of stored text samples ([count * maxLength] indices). */
function encodeCodes(tf: typeof tfType, run: Pick<LoadedRun, 'text'>, ids: ArrayLike<number>, count: number): Float32Array {
  const codes = tf.tidy(() => run.text!.encode(ids, count));
  const values = codes.dataSync() as Float32Array;
  codes.dispose();
  return values;
}

/** Flattened codes of the given samples, in batches. */
function encodeSamples(tf: typeof tfType, run: Pick<LoadedRun, 'dataset' | 'models' | 'codeWidth' | 'text'>, indices: Int32Array): Float32Array {
  const { dataset } = run;
  const sampleSize = dataset.inputShape.reduce((a, b) => a * b, 1);
  const batchSize = 256;
  const buffer = new Float32Array(batchSize * sampleSize);
  const codes = new Float32Array(indices.length * run.codeWidth);
  for (let start = 0; start < indices.length; start += batchSize) {
    const chunk = indices.subarray(start, Math.min(start + batchSize, indices.length));
    dataset.fillBatch(chunk, buffer);
    const values = run.text
      ? encodeCodes(tf, run, buffer.subarray(0, chunk.length * sampleSize), chunk.length)
      : readCodes(
          tf.tidy(() => {
            const x = tf.tensor(buffer.subarray(0, chunk.length * sampleSize), [chunk.length, ...dataset.inputShape]);
            const output = run.models.encoder.predict(x);
            // An encoder with several outputs (mean, log-variance, …) gives its first, the code.
            return Array.isArray(output) ? output[0] : output;
          }),
        );
    codes.set(values, start * run.codeWidth);
  }
  return codes;
}

/** A tensor's values, freeing it (typed arrays never leave tf.tidy: it would walk them index by index). */
function readCodes(tensor: tfType.Tensor): Float32Array {
  const values = tensor.dataSync() as Float32Array;
  tensor.dispose();
  return values;
}

function disposeLoaded(): void {
  if (!loaded) return;
  for (const model of [loaded.models.autoencoder, loaded.models.encoder, loaded.models.decoder]) model.dispose();
  loaded = undefined;
}
