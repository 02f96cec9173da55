import type { DatasetKind } from '../data/dataset';
import { DEFAULT_RNN_UNITS, modelConfigSchema, PRESETS, type ModelConfig, type Preset } from './config';
import { ModelConfigError } from './model-config-error';
import { PRESET_KINDS, presetDefaults } from './preset-defaults';
import { zodIssueToSentences } from './zod-sentences';

export interface ModelConfigContext {
  kind: DatasetKind;
  /** One training sample's shape: [h, w, c] images, [n] tabular, [maxLength] text (character indices). */
  inputShape: readonly number[];
  /** Text: characters in the vocabulary (padding, end and unknown marks included). */
  vocabularySize?: number;
}

/** Above this a dense model on raw pixels is a mistake, not a choice (4 bytes per parameter, Adam triples it). */
const MAX_PARAMS = 50_000_000;

/**
 * Validates a JSON model config against the data it will train on and fills in the preset's defaults.
 * Throws ModelConfigError listing every problem (schema, unknown keys, preset vs data, options that
 * would have no effect) in plain sentences.
 */
export function parseModelConfig(input: unknown, context: ModelConfigContext): ModelConfig {
  const raw = input ?? {};
  const parsed = modelConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.flatMap((issue) => zodIssueToSentences(issue, raw, modelConfigSchema));
    // The preset may still be readable: say early if it cannot learn this data at all.
    const preset = readablePreset(raw);
    if (preset) problems.push(...dataKindProblems(preset, context));
    throw new ModelConfigError(problems);
  }
  const given = new Set(Object.keys(raw as object));
  const value = parsed.data;
  const problems = dataKindProblems(value.preset, context);
  if (problems.length > 0) throw new ModelConfigError(problems);

  const defaults = presetDefaults(value.preset, context.kind);
  const config: ModelConfig = {
    ...value,
    activation: given.has('activation') ? value.activation : defaults.activation,
    hiddenLayers: value.hiddenLayers ?? defaults.hiddenLayers,
    convFilters: value.convFilters ?? defaults.convFilters,
    codeSize: value.codeSize ?? defaults.codeSize,
    outputActivation: value.outputActivation ?? defaults.outputActivation,
    loss: value.loss ?? defaults.loss,
    noise: value.noise ?? defaults.noise,
    sparsity: value.sparsity ?? defaults.sparsity,
    learningRate: value.learningRate ?? defaults.learningRate,
    learningRateSchedule: value.learningRateSchedule ?? defaults.learningRateSchedule,
    batchSize: given.has('batchSize') ? value.batchSize : defaults.batchSize,
  };
  if (config.preset === 'conv') {
    const filters = config.convFilters.length > 0 ? config.convFilters : defaults.convFilters;
    // The last conv layer is the code: codeSize (when given) is its number of channels.
    const codeChannels = value.codeSize ?? filters[filters.length - 1];
    config.convFilters = [...filters.slice(0, -1), codeChannels];
    config.codeSize = codeChannels;
  }
  problems.push(...optionProblems(config, given, context));
  if (problems.length > 0) throw new ModelConfigError(problems);
  return config;
}

function readablePreset(raw: unknown): Preset | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const preset = (raw as Record<string, unknown>).preset ?? 'dense';
  return (PRESETS as readonly unknown[]).includes(preset) ? (preset as Preset) : undefined;
}

function listWithOr(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

function describeData(context: ModelConfigContext): string {
  const shape = context.inputShape.join('×');
  switch (context.kind) {
    case 'image':
      return `image data (${shape})`;
    case 'tabular':
      return `tabular data (${context.inputShape[0] ?? '?'} columns)`;
    case 'text':
      return `text (${context.inputShape[0] ?? '?'} characters per sample)`;
  }
}

function dataKindProblems(preset: Preset, context: ModelConfigContext): string[] {
  const problems: string[] = [];
  const shape = context.inputShape;
  if (shape.length === 0 || shape.some((d) => !Number.isInteger(d) || d < 1)) {
    problems.push(`the data's sample shape [${shape.join(', ')}] is not a list of positive whole numbers`);
    return problems;
  }
  if (!PRESET_KINDS[preset].includes(context.kind)) {
    const fitting = listWithOr(PRESETS.filter((p) => PRESET_KINDS[p].includes(context.kind)));
    if (context.kind === 'text') {
      problems.push(`the ${preset} preset cannot read text; text is learned by the sequence preset (characters in, characters out)`);
    } else if (preset === 'sequence') {
      problems.push(`the sequence preset reads text (one sample per line), but this dataset is ${describeData(context)}; use ${fitting}`);
    } else {
      problems.push(`the ${preset} preset needs image data (height × width × channels), but this dataset is ${describeData(context)}; use ${fitting}`);
    }
    return problems;
  }
  if (context.kind === 'image' && shape.length !== 3) {
    problems.push(`image data must have the shape height × width × channels, got [${shape.join(', ')}]`);
  }
  if (context.kind === 'text' && shape.length !== 1) {
    problems.push(`text data must be lines of character indices (shape [length]), got [${shape.join(', ')}]`);
  }
  return problems;
}

/** Options that contradict the preset or the data, or that would silently have no effect. */
function optionProblems(config: ModelConfig, given: Set<string>, context: ModelConfigContext): string[] {
  const problems: string[] = [];
  const preset = config.preset;
  const only = (option: string, presets: string, isSet: boolean) => {
    if (isSet) problems.push(`${option} applies only to the ${presets} preset${presets.includes(' or ') ? 's' : ''}, not to ${preset}`);
  };
  only('convFilters', 'conv', preset !== 'conv' && config.convFilters.length > 0);
  only('convTranspose', 'conv', preset !== 'conv' && config.convTranspose);
  only('kernelSize', 'conv', preset !== 'conv' && given.has('kernelSize') && config.kernelSize !== 3);
  only('noise', 'denoising', preset !== 'denoising' && config.noise !== undefined);
  only('sparsity', 'sparse', preset !== 'sparse' && config.sparsity !== undefined);
  if (preset !== 'vae' && !(preset === 'sequence' && config.variational) && config.klWeight !== 1) {
    problems.push(`klWeight applies only to the vae preset and the sequence preset with variational: true, not to ${preset}${preset === 'sequence' ? ' without it' : ''}`);
  }
  only('rnn', 'sequence', preset !== 'sequence' && config.rnn !== 'gru');
  only('rnnUnits', 'sequence', preset !== 'sequence' && config.rnnUnits !== DEFAULT_RNN_UNITS);
  only('embeddingSize', 'sequence', preset !== 'sequence' && config.embeddingSize !== 64);
  only('charDropout', 'sequence', preset !== 'sequence' && config.charDropout !== 0.25);
  only('variational', 'sequence', preset !== 'sequence' && config.variational);
  if (preset === 'sequence' && config.rnn !== 'gru') problems.push(`the sequence preset runs GRU encoder and decoder; rnn ${config.rnn} is not available for it`);
  if ((preset === 'conv' || preset === 'sequence') && config.hiddenLayers.length > 0) {
    problems.push(`hiddenLayers has no effect on the ${preset} preset${preset === 'conv' ? ' (its layers are set by convFilters)' : ' (its size is set by rnnUnits)'}`);
  }
  if (preset === 'sequence') {
    if (config.loss !== 'cce') problems.push(`the sequence preset predicts one character out of many: its loss is cce (categorical cross-entropy), not ${config.loss}`);
    if (config.outputActivation !== 'softmax') problems.push(`the sequence preset outputs a softmax over characters; outputActivation ${config.outputActivation} cannot be used`);
  } else {
    if (config.loss === 'cce') problems.push(`loss cce (categorical cross-entropy) is for the sequence preset; use mse or bce`);
    if (config.outputActivation === 'softmax') problems.push(`outputActivation softmax is for the sequence preset; use sigmoid or linear`);
    if (config.loss === 'bce' && context.kind === 'tabular') {
      problems.push('loss bce needs targets between 0 and 1, but tabular data is standardized (any value); use mse');
    } else if (config.loss === 'bce' && config.outputActivation !== 'sigmoid') {
      problems.push(`loss bce needs outputs between 0 and 1: set outputActivation to sigmoid (got ${config.outputActivation})`);
    }
  }
  const features = context.inputShape.reduce((a, b) => a * b, 1);
  if (preset !== 'conv' && preset !== 'sequence') {
    const widths = [features, ...config.hiddenLayers, config.codeSize];
    let params = 0;
    for (let i = 1; i < widths.length; i++) params += 2 * (widths[i - 1] * widths[i]) + widths[i] + widths[i - 1];
    if (params > MAX_PARAMS) {
      problems.push(
        `this ${preset} model would have about ${Math.round(params / 1e6)} million parameters on ${describeData(context)} ` +
          `(more than ${MAX_PARAMS / 1e6} million); use the conv preset or smaller hiddenLayers`,
      );
    }
  }
  if (preset === 'conv') {
    const poolings = config.convFilters.length - 1;
    const [height, width] = context.inputShape;
    const factor = 2 ** poolings;
    if (height < factor || width < factor) {
      problems.push(`the conv preset halves the image ${poolings} times, so it needs at least ${factor}×${factor} pixels; these images are ${height}×${width} (use fewer convFilters)`);
    }
  }
  return problems;
}

/** Re-exported so callers of parseModelConfig can catch its error with one import. */
export { ModelConfigError } from './model-config-error';
