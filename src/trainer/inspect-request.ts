import type { Dataset } from '../data/dataset';
import { browseOrder } from '../data/browse-order';
import { openDataset } from '../data/open-dataset';
import { previewImages, toImageBatch } from '../data/preview';
import { computeStats, summarizeDataset } from '../data/stats';
import type { DatasetRef, InspectResult } from '../protocol/trainer-protocol';

/**
 * The `inspect` request: a dataset's summary, statistics and one page of samples. The last
 * dataset opened is kept, so paging through it does not read the file again.
 */

let cached: { key: string; dataset: Dataset; stats: InspectResult['stats']; order: Int32Array } | undefined;

export async function openCachedDataset(ref: DatasetRef): Promise<Dataset> {
  const key = JSON.stringify(ref);
  if (cached?.key === key) return cached.dataset;
  const dataset = await openDataset(ref);
  cached = { key, dataset, stats: computeStats(dataset), order: browseOrder(dataset.count, dataset.labels) };
  return dataset;
}

export async function inspectDataset(ref: DatasetRef, page: number, pageSize: number): Promise<InspectResult> {
  const dataset = await openCachedDataset(ref);
  const same = cached?.dataset === dataset;
  const stats = same ? cached!.stats : computeStats(dataset);
  const order = same ? cached!.order : browseOrder(dataset.count, dataset.labels);
  const start = Math.min(page * pageSize, dataset.count);
  const indices = order.slice(start, Math.min(start + pageSize, dataset.count));
  const result: InspectResult = { summary: summarizeDataset(dataset), stats, page, pageSize, sampleIndices: Array.from(indices) };
  if (dataset.labels) result.sampleLabels = Array.from(indices, (i) => dataset.labels![i]);
  if (dataset.kind === 'image') result.samples = toImageBatch(previewImages(dataset, indices));
  else if (dataset.kind === 'text') result.texts = Array.from(indices, (i) => dataset.text?.(i) ?? '');
  else result.rows = Array.from(indices, (i) => Array.from(dataset.sample(i)));
  return result;
}
