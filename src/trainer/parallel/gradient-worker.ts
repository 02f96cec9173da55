import { parentPort } from 'node:worker_threads';
import type * as tfType from '@tensorflow/tfjs';
import { buildModel } from '../../models/build-model';
import type { BuiltModel } from '../../models/built-model';
import { MessageChannel } from '../../protocol/channel';
import { initBackend } from '../backend';
import { computeGradients } from './compute-gradients';
import { parseGradientMessage, type FromGradientWorker, type ToGradientWorker } from './gradient-protocol';

/**
 * The second thread of data-parallel training: its own tfjs backend and a copy of the model.
 * Per step it takes the current weights and its share of the batch and returns the gradients of
 * the model's loss on that share (under the batch's random draws the main thread took, if any). It never updates weights itself: the main thread owns them.
 */

if (!parentPort) throw new Error('gradient-worker.ts must run as a worker thread');
const port = parentPort;
const channel = new MessageChannel<ToGradientWorker, FromGradientWorker>({
  post: (message) => port.postMessage(message),
  parse: parseGradientMessage<ToGradientWorker>,
});

let tf: typeof tfType | undefined;
let model: BuiltModel | undefined;

channel.onMessage((message) => {
  handle(message).catch((error: unknown) => {
    channel.send({ type: 'error', requestId: message.requestId, message: error instanceof Error ? error.message : String(error) });
  });
});
port.on('message', (value) => channel.receive(value));

async function handle(message: ToGradientWorker): Promise<void> {
  if (message.type === 'init') {
    const active = await initBackend(message.backend);
    tf = active.tf;
    model?.dispose();
    model = buildModel(message.config, message.inputShape, message.kind, message.vocabularySize);
    channel.send({ type: 'ready', requestId: message.requestId, backend: active.name });
    return;
  }
  if (!tf || !model) throw new Error('gradient worker: gradients asked before init');
  const { tf: t, model: m } = { tf, model };
  m.trainableVariables.forEach((variable, i) => {
    t.tidy(() => variable.assign(t.tensor(message.weights[i], variable.shape)));
  });
  const inputs = t.tensor(message.inputs, [message.count, ...m.inputShape]);
  const result = computeGradients(t, m, inputs, message.draws);
  inputs.dispose();
  const gradients = await Promise.all(result.gradients.map(async (g) => (await g.data()) as Float32Array));
  const loss = (await result.loss.data())[0];
  t.dispose([result.loss, ...result.gradients]);
  port.postMessage(
    { type: 'gradients', requestId: message.requestId, loss, weight: result.weight, gradients } satisfies FromGradientWorker,
    // Only arrays owning their whole buffer are moved; anything else is copied.
    gradients.filter((g) => g.byteLength === g.buffer.byteLength).map((g) => g.buffer as ArrayBuffer),
  );
}
