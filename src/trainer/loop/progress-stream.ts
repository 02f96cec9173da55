import type { FromTrainer, RunProgress } from '../../protocol/trainer-protocol';

/** Smoothing of the per-batch loss series (exponential moving average, bias-corrected). */
const EMA_BETA = 0.9;

/**
 * The loop's live messages: the smoothed per-batch loss, appended and sent at most every
 * `intervalMs` together with a progress message (never one message per batch).
 */
export class ProgressStream {
  private ema = 0;
  private emaSteps = 0;
  private steps: number[] = [];
  private losses: number[] = [];
  private lastSentAt = -Infinity;

  constructor(
    private readonly emit: (message: FromTrainer) => void,
    private readonly intervalMs: number,
  ) {}

  addBatch(step: number, loss: number): void {
    this.emaSteps++;
    this.ema = EMA_BETA * this.ema + (1 - EMA_BETA) * loss;
    this.steps.push(step);
    this.losses.push(this.ema / (1 - EMA_BETA ** this.emaSteps));
  }

  /** Sends the pending losses and `progress()` if the interval has passed (or `force`). */
  maybeSend(now: number, force: boolean, progress: () => RunProgress): void {
    if (!force && now - this.lastSentAt < this.intervalMs) return;
    this.lastSentAt = now;
    this.flush();
    this.emit({ type: 'progress', ...progress() });
  }

  flush(): void {
    if (this.steps.length === 0) return;
    this.emit({ type: 'batchLoss', steps: this.steps, losses: this.losses });
    this.steps = [];
    this.losses = [];
  }
}
