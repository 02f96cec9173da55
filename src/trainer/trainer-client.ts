import { fork, type ChildProcess } from 'node:child_process';
import { MessageChannel } from '../protocol/channel';
import { parseFromTrainer, type FromTrainer, type ToTrainer } from '../protocol/trainer-protocol';
import { NativeLogFilter } from './native-log-filter';

/**
 * The host side of the trainer child process, used by the extension, the CLI and the tests.
 *
 * - The child is forked lazily by start(), once, and start() resolves on its `ready` message.
 * - Messages travel with `serialization: 'json'`: the protocol is plain JSON by design (images as
 *   base64 strings), so 'json' makes the wire carry exactly what the zod schemas describe — a
 *   typed array or `undefined` that 'advanced' would let through cannot reach the other side by
 *   accident.
 * - Every incoming message is validated (parseFromTrainer) before a listener sees it.
 * - Nothing waits forever: start() has a timeout, requests reject when the child dies or after a
 *   timeout, and dispose() sends SIGTERM, then SIGKILL after a grace period.
 * - A crash or kill is reported through onExit with expected = false and the tail of stderr.
 */

export interface TrainerExit {
  code: number | null;
  signal: string | null;
  /** True when we asked for it (dispose) or the trainer exited cleanly (code 0, e.g. after stop). */
  expected: boolean;
  stderrTail: string;
}

export interface TrainerReady {
  backend: string;
  /** For 'tensorflow': the tfjs-node package folder it was loaded from. */
  tfjsNode?: string;
  /** Why an installed tfjs-node did not load. */
  nativeFailures?: string[];
  versions: Record<string, string>;
  pid: number;
}

export interface TrainerClientOptions {
  /** Absolute path of dist/trainer.js. */
  trainerScript: string;
  /** The Node binary; the extension host passes its own (process.execPath, run as Node). */
  execPath?: string;
  /** Extra environment; ELECTRON_RUN_AS_NODE=1 is always set so an Electron execPath runs as Node. */
  env?: NodeJS.ProcessEnv;
  /** auto | tensorflow | wasm | cpu; passed as AUTOENCODER_LAB_BACKEND. */
  preferredBackend?: string;
  /** How long start() waits for `ready` (default 60 s). */
  readyTimeoutMs?: number;
  /** How long a request waits for its reply (default 120 s). */
  requestTimeoutMs?: number;
  /** Grace period between SIGTERM and SIGKILL in dispose() (default 2 s). */
  killGraceMs?: number;
  /** Bytes of stderr kept for crash reports (default 4096). */
  stderrTailBytes?: number;
  /** Every chunk the child writes to stdout or stderr (for an output channel or a log). */
  onOutput?: (stream: 'stdout' | 'stderr', text: string) => void;
}

type RequestMessage = Extract<ToTrainer, { requestId: number }>;
/** A request as its sender writes it: the channel adds the requestId. */
export type RequestWithoutId = RequestMessage extends infer M ? (M extends { requestId: number } ? Omit<M, 'requestId'> : never) : never;
/** The reply each request type gets. */
export type ReplyFor<T extends RequestWithoutId['type']> = T extends 'inspect'
  ? Extract<FromTrainer, { type: 'inspected' }>
  : T extends 'describe'
    ? Extract<FromTrainer, { type: 'described' }>
    : Extract<FromTrainer, { type: 'generated' }>;

interface Disposable {
  dispose(): void;
}

export class TrainerClient {
  private child: ChildProcess | undefined;
  private channel: MessageChannel<FromTrainer, ToTrainer> | undefined;
  private starting: Promise<TrainerReady> | undefined;
  private readonly eventListeners = new Set<(message: FromTrainer) => void>();
  private readonly exitListeners = new Set<(exit: TrainerExit) => void>();
  private stderrTail = '';
  private readonly stderrFilter = new NativeLogFilter();
  private exited: TrainerExit | undefined;
  private disposing = false;
  private killTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: TrainerClientOptions) {}

  /** True from fork until the child exits. */
  get running(): boolean {
    return this.child !== undefined && this.exited === undefined;
  }

  /** The child's pid once forked. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The last exit, once the child has gone. */
  get exit(): TrainerExit | undefined {
    return this.exited;
  }

  start(): Promise<TrainerReady> {
    if (this.disposing && !this.starting) return Promise.reject(new Error('The trainer client was disposed.'));
    this.starting ??= this.fork();
    return this.starting;
  }

  send(message: ToTrainer): void {
    if (!this.channel || !this.running) throw new Error('The trainer is not running (call start() first, or it has exited).');
    this.channel.send(message);
  }

  request<T extends RequestWithoutId['type']>(
    message: Extract<RequestWithoutId, { type: T }>,
    timeoutMs = this.options.requestTimeoutMs ?? 120_000,
  ): Promise<ReplyFor<T>> {
    if (!this.channel || !this.running) return Promise.reject(new Error('The trainer is not running (call start() first, or it has exited).'));
    return this.channel.request<ReplyFor<T>>(message as never, {
      timeoutMs,
      timeoutMessage: `The trainer did not answer the ${message.type} request within ${Math.round(timeoutMs / 1000)} s.`,
    });
  }

  onEvent(listener: (message: FromTrainer) => void): Disposable {
    this.eventListeners.add(listener);
    return { dispose: () => this.eventListeners.delete(listener) };
  }

  onExit(listener: (exit: TrainerExit) => void): Disposable {
    this.exitListeners.add(listener);
    return { dispose: () => this.exitListeners.delete(listener) };
  }

  /** Resolves with the exit (immediately if the child has already gone). */
  waitForExit(): Promise<TrainerExit> {
    if (this.exited) return Promise.resolve(this.exited);
    if (!this.child) return Promise.resolve({ code: null, signal: null, expected: true, stderrTail: '' });
    return new Promise((resolve) => {
      const subscription = this.onExit((exit) => {
        subscription.dispose();
        resolve(exit);
      });
    });
  }

  /** Kills the child: SIGTERM, then SIGKILL after the grace period. No orphans. */
  dispose(): void {
    this.disposing = true;
    const child = this.child;
    if (!child || this.exited) return;
    try {
      child.kill('SIGTERM');
    } catch {
      // already gone
    }
    this.killTimer = setTimeout(() => {
      if (!this.exited) {
        try {
          child.kill('SIGKILL');
        } catch {
          // already gone
        }
      }
    }, this.options.killGraceMs ?? 2000);
    this.killTimer.unref();
  }

  private fork(): Promise<TrainerReady> {
    const env: NodeJS.ProcessEnv = { ...process.env, ...this.options.env, ELECTRON_RUN_AS_NODE: '1' };
    if (this.options.preferredBackend) env.AUTOENCODER_LAB_BACKEND = this.options.preferredBackend;
    let child: ChildProcess;
    try {
      child = fork(this.options.trainerScript, [], {
        execPath: this.options.execPath ?? process.execPath,
        env,
        serialization: 'json',
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        // The extension host may run with inspector flags; the trainer must not inherit them.
        execArgv: [],
      });
    } catch (error) {
      return Promise.reject(error);
    }
    this.child = child;

    const channel = new MessageChannel<FromTrainer, ToTrainer>({
      post: (message) => {
        if (child.connected) child.send(message);
        else throw new Error('The trainer process has exited.');
      },
      parse: parseFromTrainer,
      onInvalid: (value, error) => {
        this.options.onOutput?.('stderr', `autoencoder-lab: dropped an invalid message from the trainer: ${describeInvalid(value, error)}\n`);
      },
    });
    this.channel = channel;
    channel.onMessage((message) => {
      for (const listener of [...this.eventListeners]) listener(message);
    });
    child.on('message', (value) => channel.receive(value));

    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (text: string) => this.options.onOutput?.('stdout', text));
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => this.recordStderr(this.stderrFilter.push(text)));

    return new Promise<TrainerReady>((resolve, reject) => {
      let settled = false;
      const settle = (action: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        readySubscription.dispose();
        action();
      };
      const readySubscription = this.onEvent((message) => {
        if (message.type === 'ready') settle(() => resolve({ backend: message.backend, tfjsNode: message.tfjsNode, nativeFailures: message.nativeFailures, versions: message.versions, pid: message.pid }));
        else if (message.type === 'error' && message.requestId === undefined) settle(() => reject(new Error(message.message)));
      });
      const timeoutMs = this.options.readyTimeoutMs ?? 60_000;
      const timer = setTimeout(() => {
        settle(() => reject(new Error(`The trainer did not start within ${Math.round(timeoutMs / 1000)} s.${tailNote(this.stderrTail)}`)));
        this.dispose();
      }, timeoutMs);

      child.on('error', (error) => {
        // fork failures (bad execPath) arrive here; exit may never follow.
        settle(() => reject(new Error(`The trainer could not be started: ${error.message}`)));
        if (!this.exited) this.handleExit(null, null);
      });
      // 'close' comes after the last stderr chunk, so the tail is complete; 'exit' is the fallback
      // in case a stream stays open (a grandchild holding it).
      const onGone = (code: number | null, signal: NodeJS.Signals | null) => {
        this.handleExit(code, signal);
        settle(() => reject(new Error(`The trainer exited before it was ready (${exitDescription(code, signal)}).${tailNote(this.stderrTail)}`)));
      };
      child.on('close', onGone);
      child.on('exit', (code, signal) => setTimeout(() => onGone(code, signal), 1000).unref());
    });
  }

  private recordStderr(text: string): void {
    if (!text) return;
    const keep = this.options.stderrTailBytes ?? 4096;
    this.stderrTail = (this.stderrTail + text).slice(-keep);
    this.options.onOutput?.('stderr', text);
  }

  private handleExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.exited) return;
    this.recordStderr(this.stderrFilter.flush());
    clearTimeout(this.killTimer);
    const exit: TrainerExit = {
      code,
      signal,
      expected: this.disposing || code === 0,
      stderrTail: this.stderrTail,
    };
    this.exited = exit;
    this.channel?.close(new Error(`The trainer exited (${exitDescription(code, signal)}).${tailNote(this.stderrTail)}`));
    for (const listener of [...this.exitListeners]) listener(exit);
  }
}

function exitDescription(code: number | null, signal: string | null): string {
  return signal ? `killed by ${signal}` : `exit code ${code}`;
}

function tailNote(tail: string): string {
  const trimmed = tail.trim();
  return trimmed ? `\n${trimmed.split('\n').slice(-10).join('\n')}` : '';
}

function describeInvalid(value: unknown, error: unknown): string {
  const type = typeof value === 'object' && value !== null && 'type' in value ? String((value as { type: unknown }).type) : typeof value;
  const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
  return `${type}: ${reason}`;
}
