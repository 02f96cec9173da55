import { z } from 'zod';

/**
 * Messages between the extension host (or CLI, or a test) and the trainer child process.
 * Every message has a string-literal `type`. Messages are validated where they enter:
 * the trainer parses `ToTrainer`, the host parses `FromTrainer`.
 * Images travel as base64 of uint8 pixels, never as JSON float arrays.
 */

// ---------- shared shapes ----------

export const datasetRefSchema = z.object({
  /** Absolute path of a dataset file or folder. */
  path: z.string().min(1),
  /** CSV: label column by name or 0-based index. */
  labelColumn: z.union([z.string(), z.number().int().min(0)]).optional(),
  /** Image folders: side length images are resized to (default: the first image's size). */
  imageSize: z.number().int().min(4).max(512).optional(),
  /** Text: longest line kept, in characters. */
  maxLength: z.number().int().min(2).max(256).optional(),
  /** Text: characters kept in the vocabulary (the most frequent); rarer ones read as one unknown mark. */
  maxVocabulary: z.number().int().min(1).max(20000).optional(),
  /** Cap on samples read (for previews and quick runs). */
  limit: z.number().int().min(1).optional(),
});
export type DatasetRef = z.infer<typeof datasetRefSchema>;

export const datasetSummarySchema = z.object({
  path: z.string(),
  name: z.string(),
  format: z.enum(['idx', 'npy', 'npz', 'csv', 'image-folder', 'text']),
  kind: z.enum(['image', 'tabular', 'text']),
  count: z.number().int(),
  sampleShape: z.array(z.number().int()),
  inputShape: z.array(z.number().int()),
  dtype: z.string(),
  classNames: z.array(z.string()).optional(),
  classCounts: z.array(z.number().int()).optional(),
  columns: z.array(z.string()).optional(),
  vocabularySize: z.number().int().optional(),
  /** What the reader changed about the data (text: lines cut to the length cap, rare characters read as unknown). */
  notes: z.array(z.string()).optional(),
});
export type DatasetSummary = z.infer<typeof datasetSummarySchema>;

export const layerInfoSchema = z.object({
  name: z.string(),
  className: z.string(),
  outputShape: z.array(z.number().int().nullable()),
  params: z.number().int(),
  group: z.enum(['input', 'encoder', 'code', 'decoder']),
});
export type LayerInfo = z.infer<typeof layerInfoSchema>;

export const modelGraphSchema = z.object({
  preset: z.string(),
  layers: z.array(layerInfoSchema),
  totalParams: z.number().int(),
  codeShape: z.array(z.number().int().nullable()),
});
export type ModelGraph = z.infer<typeof modelGraphSchema>;

/** A grid of images: `count` images of height x width x channels, uint8, base64. */
export const imageBatchSchema = z.object({
  count: z.number().int().min(0),
  height: z.number().int().min(1),
  width: z.number().int().min(1),
  channels: z.union([z.literal(1), z.literal(3)]),
  pixels: z.string(),
});
export type ImageBatch = z.infer<typeof imageBatchSchema>;

export const reconstructionsSchema = z.object({
  epoch: z.number().int(),
  /** Indices of the fixed validation samples shown. */
  indices: z.array(z.number().int()),
  inputs: imageBatchSchema.optional(),
  outputs: imageBatchSchema.optional(),
  /** Text data: input and reconstructed strings. */
  texts: z.array(z.object({ input: z.string(), output: z.string() })).optional(),
  /** Per-pair reconstruction error (the model's loss per sample). */
  errors: z.array(z.number()),
});
export type Reconstructions = z.infer<typeof reconstructionsSchema>;

export const codeProjectionSchema = z.object({
  epoch: z.number().int(),
  /** x0, y0, x1, y1, … of the 2-D projection (PCA) of codes. */
  points: z.array(z.number()),
  labels: z.array(z.number().int()).optional(),
  classNames: z.array(z.string()).optional(),
});
export type CodeProjection = z.infer<typeof codeProjectionSchema>;

export const epochMetricsSchema = z.object({
  epoch: z.number().int(),
  loss: z.number(),
  val_loss: z.number().nullable(),
  seconds: z.number(),
  samples_per_second: z.number(),
  /** Text: fraction of held-out characters (and end marks) greedy decoding gets right. */
  val_char_accuracy: z.number().min(0).max(1).optional(),
  /** Text: fraction of held-out lines greedy decoding reconstructs exactly. */
  val_exact_match: z.number().min(0).max(1).optional(),
  /**
   * Validation reconstruction mean squared error in the units the model sees ([0, 1] for images,
   * standardized units for tabular data): one figure that compares runs whatever their loss.
   */
  val_mse: z.number().nullable().optional(),
  /** The learning rate of the epoch's last batch, when a schedule sets it (learningRateSchedule: anneal). */
  learning_rate: z.number().positive().optional(),
  /** The epoch with the lowest validation loss so far (the weights the run's model keeps). */
  best_epoch: z.number().int().optional(),
});
export type EpochMetrics = z.infer<typeof epochMetricsSchema>;

export const anomaliesSchema = z.object({
  indices: z.array(z.number().int()),
  errors: z.array(z.number()),
  inputs: imageBatchSchema.optional(),
  outputs: imageBatchSchema.optional(),
  texts: z.array(z.object({ input: z.string(), output: z.string() })).optional(),
});
export type Anomalies = z.infer<typeof anomaliesSchema>;

export const runStatusSchema = z.enum(['running', 'completed', 'stopped', 'failed']);
export type RunStatus = z.infer<typeof runStatusSchema>;

/**
 * Why training ended: no improvement of the validation loss for `patience` epochs, the time limit,
 * the epoch limit (a fixed count, or maxEpochs), or the user.
 */
export const stopReasonSchema = z.enum(['patience', 'time', 'epochs', 'user']);
export type StopReason = z.infer<typeof stopReasonSchema>;

/** Something about the run the user should act on, e.g. a model that outputs the same picture for every input. */
export const runNoticeSchema = z.object({
  code: z.enum(['constant-output']),
  /** English text (CLI, report, logs); the lab words it from the figures below in the UI's language. */
  message: z.string(),
  /** constant-output: the run's best validation MSE and that of always predicting the mean sample. */
  valMse: z.number(),
  baselineMse: z.number(),
  /** What to try: bce for an MSE run, else a lower learning rate. */
  advice: z.enum(['bce', 'learning-rate']),
});
export type RunNotice = z.infer<typeof runNoticeSchema>;

/** Where a run is: its epoch and batch, speed and time left. */
export const runProgressSchema = z.object({
  epoch: z.number().int(),
  /** The epoch limit: the fixed count, or maxEpochs when automatic. */
  epochs: z.number().int(),
  /** Automatic epochs: training stops when the validation loss no longer improves. */
  automatic: z.boolean().optional(),
  batch: z.number().int(),
  batches: z.number().int(),
  samplesPerSecond: z.number(),
  etaSeconds: z.number(),
  elapsedSeconds: z.number(),
});
export type RunProgress = z.infer<typeof runProgressSchema>;

const progressMessageSchema = runProgressSchema.extend({ type: z.literal('progress') });

/** What a `generate` request decodes: a line between two samples, prior samples, a grid over the codes, or (text) the lines nearest to one. */
export const generateModeSchema = z.enum(['interpolate', 'prior', 'grid', 'nearest']);
export type GenerateMode = z.infer<typeof generateModeSchema>;

/** Text: one of the lines nearest to a chosen one in code space (Euclidean distance between codes). */
export const neighbourSchema = z.object({ index: z.number().int(), text: z.string(), distance: z.number() });
export type Neighbour = z.infer<typeof neighbourSchema>;

// ---------- host -> trainer ----------

export const startMessageSchema = z.object({
  type: z.literal('start'),
  dataset: datasetRefSchema,
  /** A model config (see src/models/config.ts); validated by the trainer. */
  config: z.record(z.unknown()),
  /** Folder under which the run folder is created. */
  runsRoot: z.string().min(1),
  name: z.string().optional(),
  /** Resume a stopped or killed run from its last checkpoint. */
  resumeRunDir: z.string().optional(),
  /** Minimum milliseconds between progress messages (default 100). */
  progressIntervalMs: z.number().int().min(0).optional(),
  /** Number of validation samples shown as reconstructions (default 8). */
  previewCount: z.number().int().min(0).max(64).optional(),
});

export const toTrainerSchema = z.discriminatedUnion('type', [
  startMessageSchema,
  z.object({ type: z.literal('pause') }),
  z.object({ type: z.literal('resume') }),
  z.object({ type: z.literal('stop') }),
  /** Inspect a dataset without training: summary, statistics, a page of samples. */
  z.object({
    type: z.literal('inspect'),
    requestId: z.number().int(),
    dataset: datasetRefSchema,
    page: z.number().int().min(0).default(0),
    pageSize: z.number().int().min(1).max(256).default(64),
  }),
  /** Build (not train) a model for a dataset and describe its graph. */
  z.object({ type: z.literal('describe'), requestId: z.number().int(), dataset: datasetRefSchema, config: z.record(z.unknown()) }),
  /**
   * Decode from the code space of a saved run: interpolate between two samples, sample the prior, a
   * 2-D grid, or (text) the `steps` lines nearest to sample a. Text runs also take lines typed in
   * (`textA`, `textB`) in place of the samples a and b.
   */
  z.object({
    type: z.literal('generate'),
    requestId: z.number().int(),
    runDir: z.string(),
    mode: generateModeSchema,
    a: z.number().int().min(0).optional(),
    b: z.number().int().min(0).optional(),
    textA: z.string().min(1).max(1000).optional(),
    textB: z.string().min(1).max(1000).optional(),
    steps: z.number().int().min(2).max(32).default(8),
  }),
]);
export type ToTrainer = z.input<typeof toTrainerSchema>;
export type ToTrainerParsed = z.output<typeof toTrainerSchema>;
export type StartMessage = z.input<typeof startMessageSchema>;

// ---------- trainer -> host ----------

export const datasetStatsSchema = z.object({
  min: z.number(),
  max: z.number(),
  mean: z.number(),
  std: z.number(),
  /** Value histogram over [min, max] in equal bins. */
  histogram: z.array(z.number().int()),
  /** Tabular data: statistics per column. */
  columns: z
    .array(z.object({ name: z.string(), min: z.number(), max: z.number(), mean: z.number(), std: z.number() }))
    .optional(),
});
export type DatasetStats = z.infer<typeof datasetStatsSchema>;

export const inspectResultSchema = z.object({
  summary: datasetSummarySchema,
  stats: datasetStatsSchema,
  page: z.number().int(),
  pageSize: z.number().int(),
  samples: imageBatchSchema.optional(),
  /** The dataset index of each sample on the page (labelled data is shown interleaved by class). */
  sampleIndices: z.array(z.number().int()).optional(),
  sampleLabels: z.array(z.number().int()).optional(),
  texts: z.array(z.string()).optional(),
  /** Tabular data: the page's rows. */
  rows: z.array(z.array(z.number())).optional(),
});
export type InspectResult = z.infer<typeof inspectResultSchema>;

/** The run events a training session emits that the host passes on to its webviews unchanged. */
export const trainingEventSchemas = [
  /** Smoothed per-batch loss, appended since the last message: global step numbers and values. */
  z.object({ type: z.literal('batchLoss'), steps: z.array(z.number().int()), losses: z.array(z.number()) }),
  z.object({ type: z.literal('epochEnd'), metrics: epochMetricsSchema }),
  z.object({ type: z.literal('reconstructions'), data: reconstructionsSchema }),
  z.object({ type: z.literal('codes'), data: codeProjectionSchema }),
  z.object({ type: z.literal('anomalies'), data: anomaliesSchema }),
  z.object({ type: z.literal('paused') }),
  z.object({ type: z.literal('resumed') }),
] as const;

export const fromTrainerSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('ready'),
    backend: z.string(),
    /** For backend 'tensorflow': the tfjs-node package folder it was loaded from. */
    tfjsNode: z.string().optional(),
    /** Why an installed tfjs-node did not load (the trainer then fell back to wasm). */
    nativeFailures: z.array(z.string()).optional(),
    versions: z.record(z.string()),
    pid: z.number().int(),
  }),
  z.object({ type: z.literal('started'), runDir: z.string(), dataset: datasetSummarySchema, graph: modelGraphSchema, config: z.record(z.unknown()), resumedFromEpoch: z.number().int() }),
  progressMessageSchema,
  ...trainingEventSchemas,
  z.object({ type: z.literal('notice'), notice: runNoticeSchema }),
  z.object({
    type: z.literal('done'),
    runDir: z.string(),
    status: runStatusSchema,
    finalLoss: z.number().nullable(),
    stopReason: stopReasonSchema.optional(),
    /** The epoch whose weights the saved model holds, and its validation MSE. */
    bestEpoch: z.number().int().optional(),
    bestValMse: z.number().nullable().optional(),
  }),
  z.object({ type: z.literal('error'), message: z.string(), stack: z.string().optional(), requestId: z.number().int().optional() }),
  z.object({ type: z.literal('inspected'), requestId: z.number().int(), result: inspectResultSchema }),
  z.object({ type: z.literal('described'), requestId: z.number().int(), dataset: datasetSummarySchema, graph: modelGraphSchema }),
  z.object({
    type: z.literal('generated'),
    requestId: z.number().int(),
    images: imageBatchSchema.optional(),
    texts: z.array(z.string()).optional(),
    neighbours: z.array(neighbourSchema).optional(),
  }),
]);
export type FromTrainer = z.infer<typeof fromTrainerSchema>;

export function parseToTrainer(value: unknown): ToTrainerParsed {
  return toTrainerSchema.parse(value);
}

export function parseFromTrainer(value: unknown): FromTrainer {
  return fromTrainerSchema.parse(value);
}
