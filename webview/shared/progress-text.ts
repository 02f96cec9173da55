import type { RunView } from '../../src/protocol/lab-protocol';
import type { LabStringKey } from '../../src/protocol/lab-strings';
import { formatDuration, formatInteger, formatValue } from './format';
import { epochOffset } from './loss-series';
import { t } from './strings';

/** The run's state in words: Training / Paused / Completed / Stopped / Failed. */
export function runStatusText(run: RunView): string {
  if (run.status === 'running' && run.paused) return t('train.status.paused');
  const key: Record<RunView['status'], LabStringKey> = {
    running: 'train.status.running',
    completed: 'train.status.completed',
    stopped: 'train.status.stopped',
    failed: 'train.status.failed',
  };
  return t(key[run.status]);
}

/** Epoch, batch, samples/s, time left (or elapsed once done) and backend, as separate short parts. */
export function progressParts(run: RunView): string[] {
  const parts: string[] = [];
  const progress = run.progress;
  const running = run.status === 'running';
  if (progress) {
    if (progress.automatic && running) parts.push(t('train.epochAutomatic', progress.epoch, progress.epochs));
    else parts.push(t('train.epoch', progress.epoch, progress.automatic ? progress.epoch : progress.epochs));
    if (running) parts.push(t('train.batch', progress.batch, progress.batches));
    parts.push(t('train.samplesPerSecond', formatInteger(progress.samplesPerSecond)));
    if (running) {
      const left = formatDuration(progress.etaSeconds);
      parts.push(progress.automatic ? t('train.timeLeftAtMost', left) : t('train.timeLeft', left));
    } else {
      parts.push(t('train.elapsed', formatDuration(progress.elapsedSeconds)));
    }
  } else if (run.epochs.length > 0) {
    const last = run.epochs[run.epochs.length - 1];
    const shown = last.epoch + epochOffset(run);
    parts.push(typeof run.config.epochs === 'number' ? t('train.epoch', shown, run.config.epochs) : t('train.epoch', shown, shown));
    parts.push(t('train.samplesPerSecond', formatInteger(last.samples_per_second)));
  }
  const lastMse = run.epochs.at(-1)?.val_mse;
  if (running && typeof lastMse === 'number') parts.push(t('train.valMse', formatValue(lastMse)));
  if (run.backend) parts.push(t('train.backend', run.backend));
  if (run.tfjsNode) parts.push(t('train.backendFrom', run.tfjsNode));
  return parts;
}

/**
 * How a finished run ended and which model it kept:
 * `Ended: no improvement for 10 epochs` and `Model kept: epoch 137, validation MSE 0.01333`.
 */
export function outcomeParts(run: RunView): string[] {
  if (run.status === 'running' || !run.stopReason) return [];
  const patience = typeof run.config.patience === 'number' ? run.config.patience : 10;
  const reason: Record<NonNullable<RunView['stopReason']>, string> = {
    patience: t('train.stopReason.patience', patience),
    time: t('train.stopReason.time'),
    epochs: t('train.stopReason.epochs'),
    user: t('train.stopReason.user'),
  };
  const parts = [reason[run.stopReason]];
  const best = run.epochs.find((m) => m.epoch === run.bestEpoch);
  if (best && typeof best.val_mse === 'number') parts.push(t('train.bestModel', best.epoch + epochOffset(run), formatValue(best.val_mse)));
  return parts;
}

/** The run's notices in the UI's language (the trainer's English text is for the CLI and logs). */
export function noticeTexts(run: RunView): string[] {
  return (run.notices ?? []).map((notice) =>
    `${t('notice.constantOutput', formatValue(notice.valMse), formatValue(notice.baselineMse))} ${t(notice.advice === 'bce' ? 'notice.adviceBce' : 'notice.adviceLearningRate')}`,
  );
}

/**
 * The epoch count an epoch number is "of": the fixed count, or for automatic epochs the latest epoch
 * (its limit is an upper bound, not a plan).
 */
export function epochTotal(run: RunView): number {
  if (typeof run.config.epochs === 'number') return run.config.epochs;
  const latest = Math.max(run.epochs.at(-1)?.epoch ?? 0, run.reconstructions.at(-1)?.epoch ?? 0);
  return latest + epochOffset(run);
}

/** The sentence announced (aria-live) when an epoch ends. */
export function epochAnnouncement(run: RunView): string | undefined {
  const last = run.epochs[run.epochs.length - 1];
  if (!last) return undefined;
  const shownEpoch = last.epoch + epochOffset(run);
  return last.val_loss === null
    ? t('train.announceEpochNoVal', shownEpoch, formatValue(last.loss))
    : t('train.announceEpoch', shownEpoch, formatValue(last.loss), formatValue(last.val_loss));
}
