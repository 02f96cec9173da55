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
  if (progress) {
    parts.push(t('train.epoch', progress.epoch, progress.epochs));
    if (run.status === 'running') parts.push(t('train.batch', progress.batch, progress.batches));
    parts.push(t('train.samplesPerSecond', formatInteger(progress.samplesPerSecond)));
    parts.push(run.status === 'running' ? t('train.timeLeft', formatDuration(progress.etaSeconds)) : t('train.elapsed', formatDuration(progress.elapsedSeconds)));
  } else if (run.epochs.length > 0) {
    const last = run.epochs[run.epochs.length - 1];
    parts.push(t('train.epoch', last.epoch + epochOffset(run), numberOr(run.config.epochs, run.epochs.length)));
    parts.push(t('train.samplesPerSecond', formatInteger(last.samples_per_second)));
  }
  if (run.backend) parts.push(t('train.backend', run.backend));
  if (run.tfjsNode) parts.push(t('train.backendFrom', run.tfjsNode));
  return parts;
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

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' ? value : fallback;
}
