import type { LabStringKey } from '../../src/protocol/lab-strings';

/**
 * The hyperparameters the model cell offers, and for which presets each one matters. Mirrors the
 * model config schema (src/models/config.ts) without importing it: the webview sees protocol
 * types only. The trainer validates the final config and reports every problem by name.
 */
export type FieldKind = 'int' | 'number' | 'intList' | 'enum' | 'bool';

export interface ConfigField {
  /** Config key; `noise.kind` and `noise.level` address the nested noise object. */
  key: string;
  label: LabStringKey;
  kind: FieldKind;
  options?: readonly string[];
  hint?: LabStringKey;
  /** Presets this field applies to; undefined: every preset. */
  presets?: readonly string[];
}

const DENSE_FAMILY = ['dense', 'deep', 'denoising', 'sparse', 'vae'];
const ACTIVATIONS = ['relu', 'elu', 'selu', 'tanh', 'sigmoid', 'linear'];

export const CONFIG_FIELDS: readonly ConfigField[] = [
  { key: 'codeSize', label: 'model.codeSize', kind: 'int' },
  { key: 'hiddenLayers', label: 'model.hiddenLayers', kind: 'intList', hint: 'model.hiddenLayers.hint', presets: DENSE_FAMILY },
  { key: 'convFilters', label: 'model.convFilters', kind: 'intList', hint: 'model.convFilters.hint', presets: ['conv'] },
  { key: 'kernelSize', label: 'model.kernelSize', kind: 'int', presets: ['conv'] },
  { key: 'convTranspose', label: 'model.convTranspose', kind: 'bool', presets: ['conv'] },
  { key: 'rnn', label: 'model.rnn', kind: 'enum', options: ['gru', 'lstm'], presets: ['sequence'] },
  { key: 'rnnUnits', label: 'model.rnnUnits', kind: 'int', presets: ['sequence'] },
  { key: 'activation', label: 'model.activation', kind: 'enum', options: ACTIVATIONS },
  { key: 'loss', label: 'model.loss', kind: 'enum', options: ['mse', 'bce'], presets: [...DENSE_FAMILY, 'conv'] },
  { key: 'noise.kind', label: 'model.noiseKind', kind: 'enum', options: ['gaussian', 'masking'], presets: ['denoising'] },
  { key: 'noise.level', label: 'model.noiseLevel', kind: 'number', presets: ['denoising'] },
  { key: 'sparsity', label: 'model.sparsity', kind: 'number', presets: ['sparse'] },
  { key: 'klWeight', label: 'model.klWeight', kind: 'number', presets: ['vae'] },
  { key: 'optimizer', label: 'model.optimizer', kind: 'enum', options: ['adam', 'sgd', 'rmsprop'] },
  { key: 'learningRate', label: 'model.learningRate', kind: 'number' },
  { key: 'learningRateSchedule', label: 'model.learningRateSchedule', kind: 'enum', options: ['constant', 'anneal'], hint: 'model.learningRateSchedule.hint' },
  { key: 'epochs', label: 'model.epochs', kind: 'int', hint: 'model.epochs.hint' },
  { key: 'patience', label: 'model.patience', kind: 'int' },
  { key: 'maxTimeSeconds', label: 'model.maxTimeSeconds', kind: 'number' },
  { key: 'batchSize', label: 'model.batchSize', kind: 'int' },
  { key: 'validationSplit', label: 'model.validationSplit', kind: 'number' },
  { key: 'seed', label: 'model.seed', kind: 'int' },
  // Presets whose loss has no random draws can split a batch across two threads (src/trainer/parallel).
  { key: 'threads', label: 'model.threads', kind: 'int', hint: 'model.threads.hint', presets: ['dense', 'deep', 'conv', 'sparse'] },
];

/** Keys that keep their value when the preset changes (training settings, not model shape). */
const KEPT_ACROSS_PRESETS = new Set(['optimizer', 'learningRate', 'learningRateSchedule', 'epochs', 'patience', 'maxTimeSeconds', 'batchSize', 'validationSplit', 'seed', 'activation']);

export function fieldsForPreset(preset: string): ConfigField[] {
  return CONFIG_FIELDS.filter((field) => !field.presets || field.presets.includes(preset));
}

/** A config for a newly chosen preset: the training settings carry over, the model's shape takes the preset's defaults. */
export function configForPreset(config: Record<string, unknown>, preset: string): Record<string, unknown> {
  const next: Record<string, unknown> = { preset };
  for (const [key, value] of Object.entries(config)) if (KEPT_ACROSS_PRESETS.has(key)) next[key] = value;
  return next;
}

export function readField(config: Record<string, unknown>, key: string): unknown {
  const [head, tail] = key.split('.');
  const value = config[head];
  if (tail === undefined) return value;
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[tail] : undefined;
}

/** The text a field shows for a config value ('' = not set: the preset default applies). */
export function fieldText(field: ConfigField, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (field.kind === 'intList' && Array.isArray(value)) return value.join(', ');
  return String(value);
}

export type ParsedField = { ok: true; value: unknown } | { ok: false };

/** Parses a field's text; '' means "not set". */
export function parseField(field: ConfigField, text: string): ParsedField {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: true, value: undefined };
  switch (field.kind) {
    case 'int': {
      const value = Number(trimmed);
      return Number.isInteger(value) ? { ok: true, value } : { ok: false };
    }
    case 'number': {
      const value = Number(trimmed);
      return Number.isFinite(value) ? { ok: true, value } : { ok: false };
    }
    case 'intList': {
      const parts = trimmed.split(/[\s,]+/).filter((p) => p.length > 0).map(Number);
      return parts.every((n) => Number.isInteger(n) && n > 0) ? { ok: true, value: parts } : { ok: false };
    }
    case 'bool':
      return { ok: true, value: trimmed === 'true' };
    case 'enum':
      return field.options?.includes(trimmed) ? { ok: true, value: trimmed } : { ok: false };
  }
}

/** Writes a value into a copy of the config (undefined removes the key; nested noise handled). */
export function writeField(config: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const next = { ...config };
  const [head, tail] = key.split('.');
  if (tail === undefined) {
    if (value === undefined) delete next[head];
    else next[head] = value;
    return next;
  }
  const nested = { ...((typeof next[head] === 'object' && next[head] !== null ? next[head] : {}) as Record<string, unknown>) };
  if (value === undefined) delete nested[tail];
  else nested[tail] = value;
  if (Object.keys(nested).length === 0) delete next[head];
  else next[head] = nested;
  return next;
}

/** The config sent to the trainer: only keys that apply to the preset (the schema rejects none, but others are noise). */
export function configToSend(config: Record<string, unknown>): Record<string, unknown> {
  const preset = typeof config.preset === 'string' ? config.preset : 'dense';
  const applicable = new Set(fieldsForPreset(preset).map((field) => field.key.split('.')[0]));
  const next: Record<string, unknown> = { preset };
  for (const [key, value] of Object.entries(config)) {
    if (key === 'preset' || value === undefined) continue;
    // Keys the cell does not show (e.g. outputActivation from the host's defaults) pass through unchanged.
    const shown = CONFIG_FIELDS.some((field) => field.key.split('.')[0] === key);
    if (!shown || applicable.has(key)) next[key] = value;
  }
  return next;
}

/** A config's identity for "did the model change?": what would be sent, keys sorted. */
export function configKey(config: Record<string, unknown>): string {
  const sorted = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(sorted);
    if (typeof value !== 'object' || value === null) return value;
    return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sorted((value as Record<string, unknown>)[key])]));
  };
  return JSON.stringify(sorted(configToSend(config)));
}
