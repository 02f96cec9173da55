import type { DatasetKind } from '../../data/dataset';
import type { BatchDraws } from '../../models/built-model';
import type { ModelConfig } from '../../models/config';
import type { PreferredBackend } from '../backend';

/**
 * Messages between the trainer (main thread) and its gradient worker. Tensors travel as
 * Float32Arrays, one per trainable variable, in the model's fixed `trainableVariables` order
 * (variable names differ between threads: tfjs numbers layers per process).
 */

export type ToGradientWorker =
  | { type: 'init'; requestId: number; config: ModelConfig; inputShape: number[]; kind: DatasetKind; backend: PreferredBackend; vocabularySize?: number }
  | { type: 'gradients'; requestId: number; weights: Float32Array[]; inputs: Float32Array; count: number; draws?: BatchDraws };

export type FromGradientWorker =
  | { type: 'ready'; requestId: number; backend: string }
  | { type: 'gradients'; requestId: number; loss: number; weight: number; gradients: Float32Array[] }
  | { type: 'error'; requestId?: number; message: string };

const TYPES = new Set(['init', 'ready', 'gradients', 'error']);

/** Both sides are our own code in one process: check the shape of the envelope, not every field. */
export function parseGradientMessage<T extends { type: string }>(value: unknown): T {
  const type = (value as { type?: unknown } | null)?.type;
  if (typeof type !== 'string' || !TYPES.has(type)) throw new Error(`gradient worker: unexpected message ${JSON.stringify(value)}`);
  return value as T;
}
