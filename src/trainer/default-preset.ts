import type { Dataset } from '../data/dataset';

/** Text can only be learned by the sequence preset, so it is the default there (dense elsewhere). */
export function withDefaultPreset(config: Record<string, unknown>, dataset: Pick<Dataset, 'kind'>): Record<string, unknown> {
  return config.preset === undefined && dataset.kind === 'text' ? { ...config, preset: 'sequence' } : config;
}
