import { PRESETS, type Preset } from '../models/config';

export type DatasetKind = 'image' | 'tabular' | 'text';

/**
 * The preset to start from for data of a kind, given the `defaultPreset` setting. `auto` (and any
 * preset that cannot read text) becomes `sequence` for text, because only the sequence model reads
 * strings; the sequence model in turn cannot read images or tables, which get the textbook network.
 */
export function presetFor(kind: DatasetKind | undefined, chosen: string): Preset {
  if (kind === 'text') return 'sequence';
  const preset = (PRESETS as readonly string[]).includes(chosen) ? (chosen as Preset) : 'dense';
  return preset === 'sequence' ? 'dense' : preset;
}
