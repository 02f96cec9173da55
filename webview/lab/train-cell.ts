import type { LabState, RunView } from '../../src/protocol/lab-protocol';
import { button, checkbox, type Button } from '../shared/components';
import { el, icon, replaceChildren } from '../shared/dom';
import { LossChart } from '../shared/loss-chart';
import { noticeTexts, outcomeParts, progressParts, runStatusText } from '../shared/progress-text';
import { nativeBackendOffer } from '../shared/native-backend-offer';
import { t } from '../shared/strings';
import { Cell, type CellStatus } from './cell';

export interface TrainCellOptions {
  index: number;
  logScale: boolean;
  /** Run: start training with the model cell's config (false when that config is invalid). */
  train(): boolean;
  pause(): void;
  resume(): void;
  stop(): void;
  revealRun(): void;
  /** The wasm notice's button. */
  installNativeBackend(): void;
  onLogScale(on: boolean): void;
}

/**
 * The train cell: Train (the cell's Run), Pause, Resume, Stop; epoch, batch, samples/s, time left
 * and backend; the live loss chart with its log-scale toggle.
 */
export class TrainCell {
  readonly cell: Cell;
  private readonly pauseButton: Button;
  private readonly resumeButton: Button;
  private readonly stopButton: Button;
  private readonly revealButton: Button;
  private readonly progress = el('p', { className: 'ae-progress' });
  private readonly runName = el('p', { className: 'ae-muted ae-run-name' });
  private readonly note = el('p', { className: 'ae-note' });
  /** How the run ended and the model it kept. */
  private readonly outcome = el('p', { className: 'ae-progress ae-outcome' });
  /** Warnings about the run (a model that outputs the same picture for every input). */
  private readonly notices = el('div', { className: 'ae-notices', attrs: { role: 'status' } });
  private readonly nativeOffer: ReturnType<typeof nativeBackendOffer>;
  private readonly chart: LossChart;
  private readonly chartArea: HTMLElement;
  private run: RunView | undefined;
  private modelChanged = false;

  constructor(private readonly options: TrainCellOptions) {
    this.cell = new Cell({
      index: options.index,
      title: t('train.title'),
      runLabel: t('train.run'),
      onRun: () => {
        if (options.train()) this.cell.setStatus('running');
      },
    });
    this.pauseButton = button({ label: t('train.pause'), icon: 'debug-pause', appearance: 'secondary', onClick: options.pause });
    this.resumeButton = button({ label: t('train.resume'), icon: 'debug-continue', appearance: 'secondary', onClick: options.resume });
    this.stopButton = button({ label: t('train.stop'), icon: 'debug-stop', appearance: 'secondary', onClick: options.stop });
    this.revealButton = button({ label: t('train.revealRun'), icon: 'folder-opened', appearance: 'secondary', onClick: options.revealRun });
    this.cell.toolbar.append(this.pauseButton.element, this.resumeButton.element, this.stopButton.element);
    this.chart = new LossChart();
    const logScale = checkbox({ label: t('chart.logScale'), checked: options.logScale, onChange: (on) => this.setLogScale(on) });
    this.chart.setLogScale(options.logScale);
    this.note.hidden = true;
    this.chartArea = el('div', { className: 'ae-chart-area' }, [el('div', { className: 'ae-chart-head' }, [el('h3', { text: t('chart.title') }), logScale.element]), this.chart.element]);
    this.cell.inputs.append(this.note);
    this.cell.output.append(
      el('div', { className: 'ae-progress-row' }, [this.progress, this.runName, this.revealButton.element]),
      this.outcome,
      this.notices,
      this.chartArea,
    );
    this.nativeOffer = nativeBackendOffer(options.installNativeBackend);
    this.cell.output.append(this.nativeOffer.element);
    this.showButtons(undefined);
    this.progress.textContent = t('train.notStarted');
    this.runName.hidden = true;
    this.revealButton.element.hidden = true;
  }

  /** The model cell changed (or ran with another config) since this run started. */
  setModelChanged(changed: boolean): void {
    this.modelChanged = changed;
    this.showNote();
  }

  update(state: LabState): void {
    const run = state.run;
    if (run === this.run) return;
    this.run = run;
    this.showButtons(run);
    this.chart.update(run);
    this.nativeOffer.update(run);
    if (!run) {
      this.cell.setStatus('idle');
      this.progress.textContent = t('train.notStarted');
      this.runName.hidden = true;
      this.revealButton.element.hidden = true;
      this.outcome.hidden = true;
      replaceChildren(this.notices);
      return;
    }
    const status: CellStatus = run.status === 'running' ? 'running' : run.status === 'failed' ? 'failed' : this.modelChanged ? 'stale' : 'done';
    this.cell.setStatus(status, runStatusText(run));
    this.cell.setError(run.error);
    replaceChildren(this.progress, ...progressParts(run).map((part) => el('span', { className: 'ae-progress-part', text: part })));
    const outcome = outcomeParts(run);
    this.outcome.hidden = outcome.length === 0;
    replaceChildren(this.outcome, ...outcome.map((part) => el('span', { className: 'ae-progress-part', text: part })));
    replaceChildren(
      this.notices,
      ...noticeTexts(run).map((text) => el('p', { className: 'ae-notice' }, [icon('warning'), el('span', { text })])),
    );
    this.runName.hidden = run.runDir === '';
    this.runName.textContent = t('train.run.name', run.name);
    this.runName.title = run.runDir;
    this.revealButton.element.hidden = run.runDir === '' || run.status === 'running';
    this.showNote();
  }

  private setLogScale(on: boolean): void {
    this.chart.setLogScale(on);
    this.options.onLogScale(on);
  }

  private showButtons(run: RunView | undefined): void {
    const running = run?.status === 'running';
    this.cell.runButton?.setDisabled(running);
    this.pauseButton.setDisabled(!running || run?.paused === true);
    this.resumeButton.setDisabled(!running || run?.paused !== true);
    this.stopButton.setDisabled(!running);
    // Only one of Pause / Resume is shown; both stay in the tab order only when they can act.
    this.pauseButton.element.hidden = running && run?.paused === true;
    this.resumeButton.element.hidden = !(running && run?.paused === true);
  }

  private showNote(): void {
    const show = this.modelChanged && this.run !== undefined && this.run.status !== 'running';
    this.note.hidden = !show;
    this.note.textContent = show ? t('train.configChanged') : '';
    if (show && this.run) this.cell.setStatus('stale', runStatusText(this.run));
  }
}
