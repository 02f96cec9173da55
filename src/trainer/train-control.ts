/**
 * Pause, resume and stop requests, set by message handlers and obeyed by the training loop
 * between batches (the loop yields to the event loop after every batch, so a request is seen
 * before the next batch starts).
 */
export class TrainControl {
  private pausedFlag = false;
  private stoppedFlag = false;
  private wake: (() => void) | undefined;

  get paused(): boolean {
    return this.pausedFlag && !this.stoppedFlag;
  }

  get stopped(): boolean {
    return this.stoppedFlag;
  }

  pause(): void {
    this.pausedFlag = true;
  }

  resume(): void {
    this.pausedFlag = false;
    this.wakeUp();
  }

  stop(): void {
    this.stoppedFlag = true;
    this.wakeUp();
  }

  /** Resolves once resumed or stopped. */
  waitWhilePaused(): Promise<void> {
    if (!this.paused) return Promise.resolve();
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
