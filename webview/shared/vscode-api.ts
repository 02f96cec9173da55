import { MessageChannel } from '../../src/protocol/channel';
import type { FromLab, LabReplyResults, ToLab } from '../../src/protocol/lab-protocol';

/** What VS Code gives a webview script (once per page). */
interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

let api: VsCodeApi | undefined;

function vscodeApi(): VsCodeApi {
  // acquireVsCodeApi may be called only once per page.
  api ??= acquireVsCodeApi();
  return api;
}

const TO_LAB_TYPES = new Set(['state', 'run', 'reply']);

/**
 * Structural check of what the host sends. The host validated the trainer's messages already and the
 * webview may not bundle zod (it sees protocol types only), so this checks the envelope.
 */
function parseToLab(value: unknown): ToLab {
  if (typeof value !== 'object' || value === null) throw new Error('message is not an object');
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string' || !TO_LAB_TYPES.has(type)) throw new Error(`unknown message type ${String(type)}`);
  if (type === 'state' && typeof (value as { state?: unknown }).state !== 'object') throw new Error('state message without state');
  if (type === 'run' && typeof (value as { event?: unknown }).event !== 'object') throw new Error('run message without event');
  return value as ToLab;
}

type RequestType = keyof LabReplyResults;
/** A request as the view writes it: the channel adds the requestId. */
type RequestMessage = Extract<FromLab, { requestId: number }> extends infer M
  ? M extends { requestId: number }
    ? Omit<M, 'requestId'>
    : never
  : never;
type EventMessage = Exclude<FromLab, { requestId: number }>;

/** The webview end of the host channel: events (state, run increments) and requests with replies. */
export interface HostConnection {
  send(message: EventMessage): void;
  request<M extends RequestMessage>(message: M): Promise<LabReplyResults[M['type'] & RequestType]>;
}

/**
 * Connects to the extension host: incoming `state` and `run` messages go to `onMessage`,
 * `reply` messages settle the matching request. Posts `ready` once listening.
 */
export function connectToHost(onMessage: (message: ToLab) => void): HostConnection {
  const vscode = vscodeApi();
  const channel = new MessageChannel<ToLab, FromLab>({
    post: (message) => vscode.postMessage(message),
    parse: parseToLab,
    onInvalid: (value, error) => console.warn('autoencoder-lab: dropped a malformed message', value, error),
  });
  channel.onMessage(onMessage);
  window.addEventListener('message', (event: MessageEvent) => channel.receive(event.data));
  channel.send({ type: 'ready' });
  return {
    send: (message) => channel.send(message),
    async request(message) {
      // MessageChannel.request adds the requestId; its parameter type cannot name the union member.
      const reply = (await channel.request(message as unknown as Omit<FromLab, 'requestId'> & { type: FromLab['type'] })) as ToLab;
      return unwrapReply(message.type, reply) as never;
    },
  };
}

/** The result of the host's `reply` (an error reply has already rejected the request). */
function unwrapReply(type: RequestType, reply: ToLab): unknown {
  if (reply.type !== 'reply' || typeof reply.result !== 'object' || reply.result === null) throw new Error(`empty reply to ${type}`);
  return reply.result;
}

/** Per-view UI state kept by VS Code across hide/show and reloads (scroll and slider positions). */
export function loadViewState<T extends object>(defaults: T): T {
  const saved = vscodeApi().getState();
  return typeof saved === 'object' && saved !== null ? { ...defaults, ...(saved as Partial<T>) } : { ...defaults };
}

export function saveViewState<T extends object>(state: T): void {
  vscodeApi().setState(state);
}
