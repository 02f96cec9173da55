import type * as tfType from '@tensorflow/tfjs';

/**
 * A copy of the weights of the best epoch so far (restore_best_weights): the run's saved model holds
 * these, not the last epoch's, which early stopping has by definition trained past. Copies live on the
 * backend (tf.clone), so taking one costs a memory copy, not a download.
 */
export class BestWeights {
  private copies: tfType.Tensor[] | undefined;

  constructor(
    private readonly tf: typeof tfType,
    private readonly variables: readonly tfType.Variable[],
  ) {}

  get held(): boolean {
    return this.copies !== undefined;
  }

  /** Keeps the variables' current values. */
  take(): void {
    this.dispose();
    this.copies = this.variables.map((variable) => this.tf.clone(variable));
  }

  /** Sets given values (a checkpoint's best weights) as the kept copy. */
  set(values: tfType.Tensor[]): void {
    this.dispose();
    this.copies = values;
  }

  get values(): readonly tfType.Tensor[] | undefined {
    return this.copies;
  }

  /** Writes the kept values into the variables. */
  restore(): void {
    this.copies?.forEach((copy, i) => this.variables[i].assign(copy));
  }

  /** Runs `action` with the kept weights in the variables, then puts the current ones back. */
  async withBest<T>(action: () => Promise<T>): Promise<T> {
    if (!this.copies) return action();
    const current = this.variables.map((variable) => this.tf.clone(variable));
    this.restore();
    try {
      return await action();
    } finally {
      current.forEach((value, i) => this.variables[i].assign(value));
      this.tf.dispose(current);
    }
  }

  dispose(): void {
    if (this.copies) this.tf.dispose(this.copies);
    this.copies = undefined;
  }
}
