import { previewImages, toImageBatch } from '../data/preview';
import { summarizeDataset } from '../data/stats';
import type { DatasetRef, InspectResult } from '../protocol/trainer-protocol';
import { openCachedDataset } from './dataset-cache';

/** The `inspect` request: a dataset's summary, statistics and one page of samples. */
export async function inspectDataset(ref: DatasetRef, page: number, pageSize: number): Promise<InspectResult> {
  const { dataset, stats } = await openCachedDataset(ref);
  const start = Math.min(page * pageSize, dataset.count);
  const indices = Int32Array.from({ length: Math.min(pageSize, dataset.count - start) }, (_, i) => start + i);
  const result: InspectResult = { summary: summarizeDataset(dataset), stats, page, pageSize };
  if (dataset.labels) result.sampleLabels = Array.from(indices, (i) => dataset.labels![i]);
  if (dataset.kind === 'image') result.samples = toImageBatch(previewImages(dataset, indices));
  else if (dataset.kind === 'text') result.texts = Array.from(indices, (i) => dataset.text?.(i) ?? '');
  else result.rows = Array.from(indices, (i) => Array.from(dataset.sample(i)));
  return result;
}
