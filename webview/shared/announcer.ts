import type { RunView } from '../../src/protocol/lab-protocol';
import { el } from './dom';
import { formatValue } from './format';
import { epochAnnouncement, runStatusText } from './progress-text';
import { t } from './strings';

/**
 * A polite aria-live region that announces each finished epoch and the end of a run (screen
 * readers hear results without the chart). Visually hidden.
 */
export class RunAnnouncer {
  readonly element = el('div', { className: 'ae-visually-hidden', attrs: { 'aria-live': 'polite', role: 'status' } });
  private epochs = -1;
  private status: RunView['status'] | undefined;
  private runDir: string | undefined;

  update(run: RunView | undefined): void {
    if (!run) return;
    if (run.runDir !== this.runDir) {
      // A newly loaded or started run is not news; only what happens next is announced.
      this.runDir = run.runDir;
      this.epochs = run.epochs.length;
      this.status = run.status;
      return;
    }
    if (run.epochs.length > this.epochs) {
      this.epochs = run.epochs.length;
      const text = epochAnnouncement(run);
      if (text) this.element.textContent = text;
    }
    if (run.status !== this.status) {
      this.status = run.status;
      if (run.status !== 'running') {
        const last = run.epochs[run.epochs.length - 1];
        this.element.textContent = t('train.announceDone', runStatusText(run), formatValue(last?.loss));
      }
    }
  }
}
