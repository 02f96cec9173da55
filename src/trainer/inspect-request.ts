import type { Dataset } from '../data/dataset';
import { browseOrder } from '../data/browse-order';
import { previewImages, toImageBatch } from '../data/preview';
import { summarizeDataset } from '../data/stats';
import type { DatasetRef, InspectResult } from '../protocol/trainer-protocol';
import { openCachedDataset } from './dataset-cache';

/** The page order of each dataset opened (labelled data interleaved by class), kept with the cached dataset. */
const orders = new WeakMap<Dataset, Int32Array>();

/** The `inspect` request: a dataset's summary, statistics and one page of samples. */
export async function inspectDataset(ref: DatasetRef, page: number, pageSize: number): Promise<InspectResult> {
  const { dataset, stats } = await openCachedDataset(ref);
  let order = orders.get(dataset);
  if (!order) orders.set(dataset, (order = browseOrder(dataset.count, dataset.labels)));
  const start = Math.min(page * pageSize, dataset.count);
  const indices = order.slice(start, Math.min(start + pageSize, dataset.count));
  const result: InspectResult = { summary: summarizeDataset(dataset), stats, page, pageSize, sampleIndices: Array.from(indices) };
  if (dataset.labels) result.sampleLabels = Array.from(indices, (i) => dataset.labels![i]);
  if (dataset.kind === 'image') result.samples = toImageBatch(previewImages(dataset, indices));
  else if (dataset.kind === 'text') result.texts = Array.from(indices, (i) => dataset.text?.(i) ?? '');
  else result.rows = Array.from(indices, (i) => Array.from(dataset.sample(i)));
  return result;
}
