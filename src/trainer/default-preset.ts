import { product, type Dataset } from '../data/dataset';

/** Above this many values per sample a dense network gets large and slow, and the conv preset is the default. */
const DENSE_MAX_FEATURES = 4096;

/**
 * The preset for a config that names none: text can only be learned by the sequence preset; images
 * larger than 64×64 grey values (e.g. 64×64 RGB) get the conv preset; everything else the textbook
 * dense network, which on small images is both faster and better (measured on the samples).
 */
export function withDefaultPreset(config: Record<string, unknown>, dataset: Pick<Dataset, 'kind' | 'inputShape'>): Record<string, unknown> {
  if (config.preset !== undefined) return config;
  if (dataset.kind === 'text') return { ...config, preset: 'sequence' };
  if (dataset.kind === 'image' && product(dataset.inputShape) > DENSE_MAX_FEATURES) return { ...config, preset: 'conv' };
  return config;
}
