import type { EpochMetrics, FromTrainer } from '../protocol/trainer-protocol';

type Started = Extract<FromTrainer, { type: 'started' }>;
type Progress = Extract<FromTrainer, { type: 'progress' }>;

/**
 * Training output of the CLI: on a terminal, one progress bar redrawn in place (at most ~10 times a
 * second, as the trainer throttles) with a line per finished epoch above it; otherwise (a pipe, CI
 * logs) plain lines only, one per epoch.
 */
export class ProgressPrinter {
  private barShown = false;
  private lastLoss: number | undefined;
  private readonly tty: boolean;

  constructor(private readonly out: NodeJS.WriteStream) {
    this.tty = Boolean(out.isTTY);
  }

  note(text: string): void {
    this.line(text);
  }

  started(message: Started): void {
    const { dataset, graph } = message;
    const resumed = message.resumedFromEpoch ? `, resuming after epoch ${message.resumedFromEpoch}` : '';
    this.line(
      `training ${graph.preset} (${graph.totalParams.toLocaleString('en-US')} parameters) on ${dataset.name}: ` +
        `${dataset.count} samples of ${dataset.inputShape.join('×')}${resumed}`,
    );
    this.line(`run folder: ${message.runDir}`);
  }

  /** The latest smoothed batch loss, shown in the bar. */
  batchLoss(losses: readonly number[]): void {
    if (losses.length) this.lastLoss = losses[losses.length - 1];
  }

  progress(message: Progress): void {
    if (!this.tty) return;
    const width = 24;
    const fraction = message.batches ? message.batch / message.batches : 0;
    const filled = Math.round(fraction * width);
    const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
    const text =
      `epoch ${message.epoch}${message.automatic ? '' : `/${message.epochs}`} ${bar} ${String(Math.round(fraction * 100)).padStart(3)}% ` +
      `${this.lastLoss === undefined ? '' : `loss ${format(this.lastLoss)}, `}` +
      `${Math.round(message.samplesPerSecond)} samples/s, ${message.automatic ? 'at most' : 'ETA'} ${formatSeconds(message.etaSeconds)}`;
    this.out.write(`\r\x1b[2K${text}`);
    this.barShown = true;
  }

  epochEnd(metrics: EpochMetrics): void {
    const validation =
      (metrics.val_loss === null ? '' : `, val_loss ${format(metrics.val_loss)}`) +
      (metrics.val_mse == null ? '' : `, val_mse ${format(metrics.val_mse)}`) +
      (metrics.val_char_accuracy == null ? '' : `, characters right ${percent(metrics.val_char_accuracy)}, exact ${percent(metrics.val_exact_match ?? 0)}`) +
      (metrics.best_epoch !== undefined && metrics.best_epoch !== metrics.epoch ? ` (best: epoch ${metrics.best_epoch})` : '');
    this.line(
      `epoch ${metrics.epoch}: loss ${format(metrics.loss)}${validation}, ${metrics.seconds.toFixed(1)} s, ` +
        `${Math.round(metrics.samples_per_second)} samples/s` +
        (metrics.learning_rate === undefined ? '' : `, learning rate ${metrics.learning_rate.toPrecision(2)}`),
    );
  }

  finish(): void {
    this.clearBar();
  }

  private line(text: string): void {
    this.clearBar();
    this.out.write(text + '\n');
  }

  private clearBar(): void {
    if (!this.barShown) return;
    this.out.write('\r\x1b[2K');
    this.barShown = false;
  }
}

function format(value: number): string {
  return Number(value.toPrecision(4)).toString();
}

function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}
