import type { StopReason } from '../../protocol/trainer-protocol';

/**
 * When training ends. A fixed epoch count trains exactly that many epochs; automatic epochs train
 * while the monitored value (the validation loss, the training loss without a validation split, the
 * character error rate for text: train-loop.ts's monitoredValue) improves by
 * at least minDelta (relative) within `patience` epochs, up to maxEpochs. Both obey the time limit.
 * The state is plain numbers, saved in checkpoints, so a resumed run keeps counting where it stopped.
 */
export interface StoppingRule {
  /** A fixed number of epochs; undefined = automatic. */
  epochs?: number;
  maxEpochs: number;
  /** Training seconds (pauses excluded); 0 = no limit. */
  maxTimeSeconds: number;
  patience: number;
  minDelta: number;
}

export interface EarlyStoppingState {
  bestEpoch: number;
  bestLoss: number | null;
}

export class EarlyStopping {
  private bestEpoch: number;
  private bestLoss: number | null;

  constructor(
    readonly rule: StoppingRule,
    state: EarlyStoppingState = { bestEpoch: 0, bestLoss: null },
  ) {
    this.bestEpoch = state.bestEpoch;
    this.bestLoss = state.bestLoss;
  }

  get automatic(): boolean {
    return this.rule.epochs === undefined;
  }

  /** The epoch limit: the fixed count or maxEpochs. */
  get epochLimit(): number {
    return this.rule.epochs ?? this.rule.maxEpochs;
  }

  get state(): EarlyStoppingState {
    return { bestEpoch: this.bestEpoch, bestLoss: this.bestLoss };
  }

  /** Records a finished epoch's monitored loss; true when it is the new best. */
  observe(epoch: number, loss: number): boolean {
    const improved = this.bestLoss === null || loss < this.bestLoss * (1 - this.rule.minDelta) || (this.bestLoss <= 0 && loss < this.bestLoss);
    if (!improved) return false;
    this.bestEpoch = epoch;
    this.bestLoss = loss;
    return true;
  }

  /**
   * After epoch `epoch` (1-based) ended at `trainingSeconds` of training, with the last epoch having
   * taken `epochSeconds`: the reason to stop now, or undefined to go on. The time limit stops before an
   * epoch that would end past it, so a run does not overrun its limit by a whole epoch.
   */
  afterEpoch(epoch: number, trainingSeconds: number, epochSeconds: number): StopReason | undefined {
    if (epoch >= this.epochLimit) return 'epochs';
    if (this.automatic && epoch - this.bestEpoch >= this.rule.patience) return 'patience';
    if (this.rule.maxTimeSeconds > 0 && trainingSeconds + epochSeconds > this.rule.maxTimeSeconds) return 'time';
    return undefined;
  }

  /** Mid-epoch: the time limit passed (the partial epoch is dropped). */
  outOfTime(trainingSeconds: number): boolean {
    return this.rule.maxTimeSeconds > 0 && trainingSeconds > this.rule.maxTimeSeconds;
  }
}
