import { product, type Dataset } from './dataset';
import type { DatasetStats, DatasetSummary } from '../protocol/trainer-protocol';
import { mulberry32, sampleIndices } from './random';

/** Statistics of big datasets come from a fixed, seeded sample of this many samples: fast and reproducible. */
export const STATS_SAMPLE_LIMIT = 5000;
/** Bins of the value histogram (fewer for whole numbers with fewer possible values). */
export const HISTOGRAM_BINS = 32;

export function summarizeDataset(ds: Dataset): DatasetSummary {
  let classCounts: number[] | undefined;
  if (ds.labels && ds.classNames) {
    classCounts = new Array<number>(ds.classNames.length).fill(0);
    for (const label of ds.labels) if (label >= 0 && label < classCounts.length) classCounts[label]++;
  }
  return {
    path: ds.source,
    name: ds.name,
    format: ds.format,
    kind: ds.kind,
    count: ds.count,
    sampleShape: [...ds.sampleShape],
    inputShape: [...ds.inputShape],
    dtype: ds.dtype,
    classNames: ds.classNames ? [...ds.classNames] : undefined,
    classCounts,
    columns: ds.columns ? [...ds.columns] : undefined,
    vocabularySize: ds.vocabulary?.length,
    notes: ds.notes && ds.notes.length > 0 ? [...ds.notes] : undefined,
  };
}

/**
 * Value statistics in the stored units (pixel values 0..255, the CSV's own numbers), which is what a
 * user recognises. Text data has no meaningful values, so its statistics are of line lengths in characters.
 * Over at most STATS_SAMPLE_LIMIT samples (a seeded sample when there are more).
 */
export function computeStats(ds: Dataset, maxSamples = STATS_SAMPLE_LIMIT): DatasetStats {
  const indices = sampleIndices(ds.count, maxSamples, mulberry32(0x5eed));
  if (ds.kind === 'text') {
    const lengths = Array.from(indices, (i) => (ds.text ? Array.from(ds.text(i)).length : 0));
    return valueStats([Float64Array.from(lengths)]);
  }
  const chunks = Array.from(indices, (i) => ds.sample(i));
  const stats = valueStats(chunks);
  if (ds.kind === 'tabular') {
    const width = product(ds.sampleShape);
    const names = ds.columns ?? Array.from({ length: width }, (_, c) => `column ${c + 1}`);
    stats.columns = names.map((name, c) => {
      const column = Float64Array.from(chunks, (row) => row[c]);
      const { min, max, mean, std } = valueStats([column]);
      return { name, min, max, mean, std };
    });
  }
  return stats;
}

type Values = ArrayLike<number>;

/**
 * Min, max, mean, std and a histogram of equal bins over [min, max]: HISTOGRAM_BINS of them, except for
 * whole numbers, whose bins cover [min, max + 1) so each holds the same count of possible values
 * (0..255 gives 32 bins of 8), one bin per value when there are fewer than HISTOGRAM_BINS values.
 */
function valueStats(chunks: Values[]): DatasetStats {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let n = 0;
  let integers = true;
  for (const chunk of chunks) {
    for (let i = 0; i < chunk.length; i++) {
      const v = chunk[i];
      if (v < min) min = v;
      if (v > max) max = v;
      if (integers && !Number.isInteger(v)) integers = false;
      sum += v;
    }
    n += chunk.length;
  }
  if (n === 0) return { min: 0, max: 0, mean: 0, std: 0, histogram: new Array<number>(HISTOGRAM_BINS).fill(0) };
  const mean = sum / n;
  const bins = integers ? Math.min(HISTOGRAM_BINS, max - min + 1) : HISTOGRAM_BINS;
  const span = integers ? max - min + 1 : max - min;
  const histogram = new Array<number>(bins).fill(0);
  let squares = 0;
  for (const chunk of chunks) {
    for (let i = 0; i < chunk.length; i++) {
      const v = chunk[i];
      squares += (v - mean) * (v - mean);
      // max itself falls in the last bin, and a constant set in the first.
      const bin = span > 0 ? Math.min(bins - 1, Math.floor(((v - min) / span) * bins)) : 0;
      histogram[bin]++;
    }
  }
  return { min, max, mean, std: Math.sqrt(squares / n), histogram };
}
