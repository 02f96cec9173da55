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
  /** Forgets the request and stops its timer. */
  forget(): void;
}

export interface RequestOptions {
  /** Give up (reject, forget the request) after this long. */
  timeoutMs?: number;
  timeoutMessage?: string;
}

export class MessageChannel<In extends { type: string }, Out extends { type: string }> {
  private readonly listeners = new Set<Listener<In>>();
  private readonly pending = new Map<number, Pending>();
  private nextRequestId = 1;
  private closedWith: Error | undefined;

  constructor(private readonly options: ChannelOptions<In, Out>) {}

  /** Requests still waiting for their reply. */
  get pendingCount(): number {
    return this.pending.size;
  }

  send(message: Out): void {
    this.options.post(message);
  }

  /**
   * Sends a message with a fresh `requestId` and resolves with the first incoming message carrying
   * that id; rejects when that message has `type: 'error'` or an `error` field, when `post` throws,
   * after `timeoutMs` (if given) or when the channel closes. Whichever comes first forgets the request.
   */
  request<R extends In = In>(message: Omit<Out, 'requestId'> & { type: Out['type'] }, options: RequestOptions = {}): Promise<R> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const requestId = this.nextRequestId++;
    return new Promise<R>((resolve, reject) => {
      const forget = () => {
        clearTimeout(timer);
        this.pending.delete(requestId);
      };
      const timer =
        options.timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              forget();
              reject(new Error(options.timeoutMessage ?? `No reply to ${message.type} within ${options.timeoutMs} ms.`));
            }, options.timeoutMs);
      this.pending.set(requestId, { resolve: resolve as (v: unknown) => void, reject, forget });
      try {
        this.options.post({ ...message, requestId } as unknown as Out);
      } catch (error) {
        forget();
        reject(error instanceof Error ? error : new Error(String(error)));
      }
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
    const pending = typeof requestId === 'number' ? this.pending.get(requestId) : undefined;
    if (pending) {
      pending.forget();
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
    for (const pending of [...this.pending.values()]) {
      pending.forget();
      pending.reject(reason);
    }
  }
}
