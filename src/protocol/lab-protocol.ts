import { z } from 'zod';
import {
  anomaliesSchema,
  codeProjectionSchema,
  epochMetricsSchema,
  generateModeSchema,
  imageBatchSchema,
  inspectResultSchema,
  modelGraphSchema,
  neighbourSchema,
  reconstructionsSchema,
  runNoticeSchema,
  runProgressSchema,
  runStatusSchema,
  stopReasonSchema,
  trainingEventSchemas,
} from './trainer-protocol';

/**
 * Messages between the extension host and its webviews (the lab panel, the Training view and
 * the dataset inspector). The host sends the full state after `ready`, then increments.
 * Messages from a webview are validated by the host before use.
 */

export const runViewSchema = z.object({
  runDir: z.string(),
  name: z.string(),
  status: runStatusSchema,
  paused: z.boolean(),
  backend: z.string().optional(),
  /** For backend 'tensorflow': the tfjs-node package folder it was loaded from. */
  tfjsNode: z.string().optional(),
  config: z.record(z.unknown()),
  graph: modelGraphSchema.optional(),
  progress: runProgressSchema.optional(),
  epochs: z.array(epochMetricsSchema),
  batchSteps: z.array(z.number().int()),
  batchLosses: z.array(z.number()),
  /** Reconstructions of the fixed validation samples, one entry per epoch so far. */
  reconstructions: z.array(reconstructionsSchema),
  codes: codeProjectionSchema.optional(),
  anomalies: anomaliesSchema.optional(),
  error: z.string().optional(),
  /** Why training ended, and the epoch whose weights the saved model holds. */
  stopReason: stopReasonSchema.optional(),
  bestEpoch: z.number().int().optional(),
  bestValMse: z.number().nullable().optional(),
  notices: z.array(runNoticeSchema).optional(),
});
export type RunView = z.infer<typeof runViewSchema>;

export const labStateSchema = z.object({
  /** Localized UI strings, keyed by their English text's id. */
  strings: z.record(z.string()),
  presets: z.array(z.string()),
  /** The layer widths each preset would build for the open dataset (`400-128-64-128-400`). */
  presetShapes: z.record(z.string()).optional(),
  /** The model config shown in the model cell (defaults applied). */
  config: z.record(z.unknown()),
  dataset: inspectResultSchema.optional(),
  datasetError: z.string().optional(),
  graph: modelGraphSchema.optional(),
  graphError: z.string().optional(),
  run: runViewSchema.optional(),
});
export type LabState = z.infer<typeof labStateSchema>;

// ---------- host -> webview ----------

/**
 * What the host tells its webviews about a run: the trainer's run events, narrowed. `started`
 * carries the backend instead of the dataset summary; `failed` is a trainer error that answers
 * no request (the run failed, possibly before it started). Folded by src/protocol/run-state.ts.
 */
export const runEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('started'),
    runDir: z.string(),
    config: z.record(z.unknown()),
    graph: modelGraphSchema,
    backend: z.string().optional(),
    /** Where tfjs-node was loaded from, when the backend is tensorflow. */
    tfjsNode: z.string().optional(),
  }),
  runProgressSchema.extend({ type: z.literal('progress') }),
  ...trainingEventSchemas,
  /** The run's end; a field added here (and to RunView) is carried onto the run by the reducer. */
  z.object({
    type: z.literal('done'),
    runDir: z.string(),
    status: runStatusSchema,
    stopReason: stopReasonSchema.optional(),
    bestEpoch: z.number().int().optional(),
    bestValMse: z.number().nullable().optional(),
  }),
  /** Something the user should act on (a model that outputs the same picture for every input). */
  z.object({ type: z.literal('notice'), notice: runNoticeSchema }),
  z.object({ type: z.literal('failed'), message: z.string() }),
]);
export type RunEvent = z.infer<typeof runEventSchema>;

export type ToLab =
  | { type: 'state'; state: LabState }
  /** An increment to the state's run, folded by the shared run reducer (src/protocol/run-state.ts). */
  | { type: 'run'; event: RunEvent }
  | { type: 'reply'; requestId: number; result?: unknown; error?: string };

/**
 * The `result` of a successful `reply` to each webview request (an error reply has `error` instead):
 * `describe` -> the graph of the model built for the config; `inspect` -> the requested page;
 * `generate` -> the decoded images (image data) or strings (text data).
 */
export interface LabReplyResults {
  describe: z.infer<typeof modelGraphSchema>;
  inspect: z.infer<typeof inspectResultSchema>;
  generate: { images?: z.infer<typeof imageBatchSchema>; texts?: string[]; neighbours?: z.infer<typeof neighbourSchema>[] };
}

// ---------- webview -> host ----------

export const fromLabSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  /** Run the model cell: rebuild the graph for this config. */
  z.object({ type: z.literal('describe'), requestId: z.number().int(), config: z.record(z.unknown()) }),
  /** Run the train cell with this config. */
  z.object({ type: z.literal('train'), config: z.record(z.unknown()) }),
  z.object({ type: z.literal('pause') }),
  z.object({ type: z.literal('resume') }),
  z.object({ type: z.literal('stop') }),
  /** Re-run the dataset cell (or page through its samples). */
  z.object({ type: z.literal('inspect'), requestId: z.number().int(), page: z.number().int().min(0) }),
  z.object({
    type: z.literal('generate'),
    requestId: z.number().int(),
    mode: generateModeSchema,
    a: z.number().int().min(0).optional(),
    b: z.number().int().min(0).optional(),
    textA: z.string().min(1).max(1000).optional(),
    textB: z.string().min(1).max(1000).optional(),
    steps: z.number().int().min(2).max(32).optional(),
  }),
  z.object({ type: z.literal('revealRun') }),
  /** The wasm notice's button: run the Install Native TensorFlow Backend command. */
  z.object({ type: z.literal('installNativeBackend') }),
]);
export type FromLab = z.infer<typeof fromLabSchema>;

export function parseFromLab(value: unknown): FromLab {
  return fromLabSchema.parse(value);
}
