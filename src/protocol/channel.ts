/**
 * The one message-channel helper every channel uses (host<->trainer, host<->webview, webview side):
 * validated incoming events, and requests with ids whose replies carry a result or an error.
 * It knows nothing of transports: give it a `post` function and feed it what arrives.
 */

export interface ChannelOptions<In, Out> {
  post(message: Out): void;
  /** Validates an incoming message; throws on a malformed one. */
  parse(value: unknown): In;
  /** Called with a message that failed validation (it is dropped). */
  onInvalid?(value: unknown, error: unknown): void;
}

type Listener<In> = (message: In) => void;

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

export class MessageChannel<In extends { type: string }, Out extends { type: string }> {
  private readonly listeners = new Set<Listener<In>>();
  private readonly pending = new Map<number, Pending>();
  private nextRequestId = 1;
  private closedWith: Error | undefined;

  constructor(private readonly options: ChannelOptions<In, Out>) {}

  send(message: Out): void {
    this.options.post(message);
  }

  /**
   * Sends a message with a fresh `requestId` and resolves with the first incoming message carrying
   * that id; rejects when that message has `type: 'error'` or an `error` field, or the channel closes.
   */
  request<R extends In = In>(message: Omit<Out, 'requestId'> & { type: Out['type'] }): Promise<R> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const requestId = this.nextRequestId++;
    return new Promise<R>((resolve, reject) => {
      this.pending.set(requestId, { resolve: resolve as (v: unknown) => void, reject });
      this.options.post({ ...message, requestId } as unknown as Out);
    });
  }

  onMessage(listener: Listener<In>): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Feed a raw incoming value; it is validated before anyone sees it. */
  receive(value: unknown): void {
    let message: In;
    try {
      message = this.options.parse(value);
    } catch (error) {
      this.options.onInvalid?.(value, error);
      return;
    }
    const requestId = (message as { requestId?: unknown }).requestId;
    if (typeof requestId === 'number' && this.pending.has(requestId)) {
      const pending = this.pending.get(requestId)!;
      this.pending.delete(requestId);
      const error = (message as { error?: unknown }).error;
      if (message.type === 'error' || typeof error === 'string') {
        pending.reject(new Error(String((message as { message?: unknown }).message ?? error)));
      } else {
        pending.resolve(message);
      }
      return;
    }
    for (const listener of this.listeners) listener(message);
  }

  /** Rejects every outstanding request (the other side went away). */
  close(reason: Error): void {
    this.closedWith = reason;
    for (const pending of this.pending.values()) pending.reject(reason);
    this.pending.clear();
  }
}
