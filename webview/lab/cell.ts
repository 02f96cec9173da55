import type { LabStringKey } from '../../src/protocol/lab-strings';
import { button, type Button } from '../shared/components';
import { el, icon, replaceChildren } from '../shared/dom';
import { t } from '../shared/strings';

export type CellStatus = 'idle' | 'running' | 'done' | 'stale' | 'failed';

const STATUS_TEXT: Record<CellStatus, LabStringKey> = {
  idle: 'cell.notRun',
  running: 'cell.running',
  done: 'cell.done',
  stale: 'cell.stale',
  failed: 'cell.failed',
};

const STATUS_ICON: Record<CellStatus, string> = {
  idle: 'circle-large-outline',
  running: 'loading',
  done: 'pass',
  stale: 'history',
  failed: 'error',
};

export interface CellOptions {
  index: number;
  title: string;
  /** Label of the run button (the train cell says "Train"); omitted: no run button. */
  runLabel?: string;
  onRun?(): void;
}

/**
 * A notebook cell: a numbered header with its status and Run button, an error line, then the
 * cell's inputs (`inputs`) and its output (`output`) below.
 */
export class Cell {
  readonly element: HTMLElement;
  readonly toolbar: HTMLElement;
  readonly inputs: HTMLElement;
  readonly output: HTMLElement;
  readonly runButton: Button | undefined;
  private readonly status: HTMLElement;
  private readonly error: HTMLElement;
  private current: CellStatus = 'idle';

  constructor(options: CellOptions) {
    const headingId = `cell-${options.index}-title`;
    this.status = el('span', { className: 'ae-cell-status' });
    this.error = el('div', { className: 'ae-error', attrs: { role: 'alert' } });
    this.error.hidden = true;
    this.runButton = options.onRun ? button({ label: options.runLabel ?? t('cell.run'), icon: 'play', title: t('cell.runHint'), onClick: options.onRun }) : undefined;
    this.toolbar = el('div', { className: 'ae-cell-toolbar' }, [this.runButton?.element]);
    this.inputs = el('div', { className: 'ae-cell-inputs' });
    this.output = el('div', { className: 'ae-cell-output' });
    this.element = el('section', { className: 'ae-cell', attrs: { 'aria-labelledby': headingId } }, [
      el('header', { className: 'ae-cell-header' }, [
        el('span', { className: 'ae-cell-index', text: `[${options.index}]`, attrs: { 'aria-hidden': 'true' } }),
        el('h2', { id: headingId, text: options.title }),
        this.status,
        this.toolbar,
      ]),
      this.error,
      this.inputs,
      this.output,
    ]);
    this.setStatus('idle');
    // Shift+Enter anywhere in the cell runs it, as in notebooks.
    const run = options.onRun;
    if (run) {
      this.element.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' && event.shiftKey && !event.altKey && !event.ctrlKey && !event.metaKey && this.runButton?.element.hasAttribute('disabled') !== true) {
          event.preventDefault();
          run();
        }
      });
    }
  }

  get currentStatus(): CellStatus {
    return this.current;
  }

  setStatus(status: CellStatus, text?: string): void {
    this.current = status;
    this.element.dataset.status = status;
    const glyph = icon(STATUS_ICON[status]);
    if (status === 'running') glyph.classList.add('codicon-modifier-spin');
    replaceChildren(this.status, glyph, el('span', { text: text ?? t(STATUS_TEXT[status]) }));
  }

  /** Shows (or with undefined, hides) an error under the header. */
  setError(message: string | undefined): void {
    this.error.hidden = message === undefined;
    replaceChildren(this.error, message === undefined ? null : icon('error'), message === undefined ? null : el('span', { text: message }));
  }
}
