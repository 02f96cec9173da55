import type { Dataset } from '../data/dataset';
import { openDataset } from '../data/open-dataset';
import { previewImages, toImageBatch } from '../data/preview';
import { computeStats, summarizeDataset } from '../data/stats';
import type { DatasetRef, InspectResult } from '../protocol/trainer-protocol';

/**
 * The `inspect` request: a dataset's summary, statistics and one page of samples. The last
 * dataset opened is kept, so paging through it does not read the file again.
 */

let cached: { key: string; dataset: Dataset; stats: InspectResult['stats'] } | undefined;

export async function openCachedDataset(ref: DatasetRef): Promise<Dataset> {
  const key = JSON.stringify(ref);
  if (cached?.key === key) return cached.dataset;
  const dataset = await openDataset(ref);
  cached = { key, dataset, stats: computeStats(dataset) };
  return dataset;
}

export async function inspectDataset(ref: DatasetRef, page: number, pageSize: number): Promise<InspectResult> {
  const dataset = await openCachedDataset(ref);
  const stats = cached?.dataset === dataset ? cached.stats : computeStats(dataset);
  const start = Math.min(page * pageSize, dataset.count);
  const indices = Int32Array.from({ length: Math.min(pageSize, dataset.count - start) }, (_, i) => start + i);
  const result: InspectResult = { summary: summarizeDataset(dataset), stats, page, pageSize };
  if (dataset.labels) result.sampleLabels = Array.from(indices, (i) => dataset.labels![i]);
  if (dataset.kind === 'image') result.samples = toImageBatch(previewImages(dataset, indices));
  else if (dataset.kind === 'text') result.texts = Array.from(indices, (i) => dataset.text?.(i) ?? '');
  else result.rows = Array.from(indices, (i) => Array.from(dataset.sample(i)));
  return result;
}
