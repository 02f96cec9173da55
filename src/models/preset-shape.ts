import type { DatasetKind } from '../data/dataset';
import { PRESET_KINDS, presetDefaults } from './preset-defaults';
import { PRESETS, type Preset } from './config';

/**
 * The layer widths each preset would build for data of this shape, as the preset list shows them:
 * `400-128-64-128-400` for dense on 20×20 images, `20×20×1 → 5×5×8` for conv. Presets that cannot
 * read the data are left out.
 */
export function presetShapes(kind: DatasetKind, inputShape: readonly number[]): Partial<Record<Preset, string>> {
  const shapes: Partial<Record<Preset, string>> = {};
  const features = inputShape.reduce((a, b) => a * b, 1);
  for (const preset of PRESETS) {
    if (!PRESET_KINDS[preset].includes(kind)) continue;
    const defaults = presetDefaults(preset, kind);
    if (preset === 'conv') {
      const [height, width, channels] = inputShape;
      const factor = 2 ** (defaults.convFilters.length - 1);
      const code = `${Math.ceil(height / factor)}×${Math.ceil(width / factor)}×${defaults.codeSize}`;
      shapes[preset] = `${height}×${width}×${channels} → ${code}`;
    } else if (preset === 'sequence') {
      shapes[preset] = `${inputShape[0]} characters → ${defaults.codeSize}`;
    } else {
      const widths = [features, ...defaults.hiddenLayers, defaults.codeSize, ...[...defaults.hiddenLayers].reverse(), features];
      shapes[preset] = widths.join('-');
    }
  }
  return shapes;
}
