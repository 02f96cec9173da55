import { z } from 'zod';
import {
  anomaliesSchema,
  codeProjectionSchema,
  epochMetricsSchema,
  fromTrainerSchema,
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

export type ToLab =
  | { type: 'state'; state: LabState }
  /** A trainer event, forwarded as an increment to the state. */
  | { type: 'trainer'; event: z.infer<typeof fromTrainerSchema> }
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
