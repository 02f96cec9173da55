import { summarizeDataset } from '../data/stats';
import { buildModel } from '../models/build-model';
import { parseModelConfig } from '../models/parse-config';
import type { DatasetRef, DatasetSummary, ModelGraph } from '../protocol/trainer-protocol';
import { openCachedDataset } from './dataset-cache';
import { withDefaultPreset } from './default-preset';

/** The `describe` request: validates a config against a dataset and builds (not trains) its model to describe the graph. */
export async function describeModel(ref: DatasetRef, input: Record<string, unknown>): Promise<{ dataset: DatasetSummary; graph: ModelGraph }> {
  const { dataset } = await openCachedDataset(ref);
  const config = parseModelConfig(withDefaultPreset(input, dataset), { kind: dataset.kind, inputShape: [...dataset.inputShape] });
  const built = buildModel(config, dataset.inputShape, dataset.kind, dataset.vocabulary?.length);
  try {
    return { dataset: summarizeDataset(dataset), graph: built.graph };
  } finally {
    built.dispose();
  }
}
