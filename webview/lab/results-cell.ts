import type { LabReplyResults, LabState, RunView } from '../../src/protocol/lab-protocol';
import type { GenerateMode } from '../../src/protocol/trainer-protocol';
import { button, dropdown, slider, textField, type Button, type Slider } from '../shared/components';
import { el, replaceChildren } from '../shared/dom';
import { imageGrid } from '../shared/image-grid';
import { epochOffset } from '../shared/loss-series';
import { epochTotal } from '../shared/progress-text';
import { pairsView } from '../shared/pairs-view';
import { scatterView } from '../shared/scatter';
import { t } from '../shared/strings';
import { onThemeChange } from '../shared/theme';
import { Cell } from './cell';

export type { GenerateMode };

/** What the results cell asks the host to decode: samples by index, or (text) lines typed in. */
export interface GenerateRequest {
  mode: GenerateMode;
  a?: number;
  b?: number;
  textA?: string;
  textB?: string;
  steps?: number;
}

export interface ResultsCellOptions {
  index: number;
  /** Index into the run's reconstructions shown by the slider; undefined follows the latest epoch. */
  epochIndex: number | undefined;
  onEpochIndex(index: number | undefined): void;
  generate(request: GenerateRequest): Promise<LabReplyResults['generate']>;
}

/**
 * The results cell: input/reconstruction pairs of the fixed validation samples with an epoch
 * slider; the code scatter; generation from the code space; the worst reconstructions.
 */
export class ResultsCell {
  readonly cell: Cell;
  private readonly slider: Slider;
  private readonly pairsHost = el('div', { className: 'ae-pairs-host' });
  /** Text runs: the shown epoch's held-out exact match and character accuracy. */
  private readonly textMetrics = el('p', { className: 'ae-text-metrics', attrs: { 'aria-live': 'polite' } });
  private readonly generateHint = el('p', { className: 'ae-muted ae-hint', text: t('results.generateHint') });
  private readonly scatterHost = el('div', { className: 'ae-scatter-host' });
  private readonly anomaliesHost = el('div', { className: 'ae-anomalies-host' });
  private readonly generateHost = el('div', { className: 'ae-generated', attrs: { 'aria-live': 'polite' } });
  private readonly generateForm = el('div', { className: 'ae-form ae-generate-form' });
  private readonly generateButtons: Record<GenerateMode, Button>;
  private readonly sections: HTMLElement;
  private readonly empty = el('p', { className: 'ae-muted', text: t('results.none') });
  private steps = '8';
  private chosenA = '';
  private chosenB = '';
  private lineA = '';
  private lineB = '';
  private formForText: boolean | undefined;
  private sampleChoices = '';
  private run: RunView | undefined;
  private epochIndex: number | undefined;
  // What the sections show; `null` until first drawn (undefined means "none yet" and draws a hint).
  private shownPairs: unknown = null;
  private shownCodes: unknown = null;
  private shownAnomalies: unknown = null;

  constructor(private readonly options: ResultsCellOptions) {
    this.cell = new Cell({ index: options.index, title: t('results.title') });
    this.epochIndex = options.epochIndex;
    this.slider = slider({
      label: t('results.epochSlider'),
      min: 0,
      max: 0,
      value: 0,
      valueText: (index) => this.epochText(index),
      onChange: (index) => {
        const last = (this.run?.reconstructions.length ?? 1) - 1;
        // At the right end the slider follows new epochs; anywhere else it stays put.
        this.epochIndex = index >= last ? undefined : index;
        this.options.onEpochIndex(this.epochIndex);
        this.showPairs();
      },
    });
    this.generateButtons = {
      interpolate: button({ label: t('results.interpolate'), icon: 'arrow-both', appearance: 'secondary', onClick: () => void this.generate('interpolate') }),
      prior: button({ label: t('results.prior'), icon: 'symbol-event', appearance: 'secondary', onClick: () => void this.generate('prior') }),
      grid: button({ label: t('results.grid'), icon: 'symbol-array', appearance: 'secondary', onClick: () => void this.generate('grid') }),
      nearest: button({ label: t('results.nearest'), icon: 'search', appearance: 'secondary', onClick: () => void this.generate('nearest') }),
    };
    this.sections = el('div', { className: 'ae-results' }, [
      el('section', { className: 'ae-results-section', attrs: { 'aria-label': t('results.reconstructions') } }, [
        el('h3', { text: t('results.reconstructions') }),
        this.slider.element,
        this.textMetrics,
        this.pairsHost,
      ]),
      el('div', { className: 'ae-results-row' }, [
        el('section', { className: 'ae-results-section', attrs: { 'aria-label': t('results.codes') } }, [el('h3', { text: t('results.codes') }), this.scatterHost]),
        el('section', { className: 'ae-results-section', attrs: { 'aria-label': t('results.generate') } }, [
          el('h3', { text: t('results.generate') }),
          this.generateForm,
          el('div', { className: 'ae-button-row' }, [
            this.generateButtons.interpolate.element,
            this.generateButtons.prior.element,
            this.generateButtons.grid.element,
            this.generateButtons.nearest.element,
          ]),
          this.generateHint,
          this.generateHost,
        ]),
      ]),
      el('section', { className: 'ae-results-section', attrs: { 'aria-label': t('results.anomalies') } }, [el('h3', { text: t('results.anomalies') }), this.anomaliesHost]),
    ]);
    this.cell.output.append(this.empty, this.sections);
    this.sections.hidden = true;
    // The scatter's colours come from the theme: redraw it when the theme changes.
    onThemeChange(() => {
      if (this.run?.codes) replaceChildren(this.scatterHost, scatterView(this.run.codes));
    });
  }

  update(state: LabState): void {
    const run = state.run;
    if (run === this.run) return;
    const previous = this.run;
    this.run = run;
    const hasResults = run !== undefined && (run.reconstructions.length > 0 || run.codes !== undefined);
    this.empty.hidden = hasResults;
    this.sections.hidden = !hasResults;
    if (!run) {
      this.cell.setStatus('idle');
      return;
    }
    if (previous && previous.runDir !== run.runDir) {
      // Another run: start from its latest epoch and drop what was generated from the last one.
      this.epochIndex = undefined;
      this.options.onEpochIndex(undefined);
      replaceChildren(this.generateHost);
    }
    this.cell.setStatus(run.status === 'running' ? 'running' : hasResults ? 'done' : 'idle', hasResults ? this.epochText(this.shownIndex()) : undefined);
    if (run.reconstructions !== previous?.reconstructions) this.showPairs();
    if (run.codes !== this.shownCodes) {
      this.shownCodes = run.codes;
      replaceChildren(this.scatterHost, run.codes ? scatterView(run.codes) : el('p', { className: 'ae-muted', text: t('results.codesNone') }));
    }
    if (run.anomalies !== this.shownAnomalies) {
      this.shownAnomalies = run.anomalies;
      replaceChildren(this.anomaliesHost, run.anomalies ? pairsView(run.anomalies) : el('p', { className: 'ae-muted', text: t('results.anomaliesNone') }));
    }
    this.updateGenerateForm(run);
  }

  private shownIndex(): number {
    const count = this.run?.reconstructions.length ?? 0;
    if (count === 0) return 0;
    return this.epochIndex === undefined ? count - 1 : Math.min(this.epochIndex, count - 1);
  }

  private epochText(index: number): string {
    const run = this.run;
    const entry = run?.reconstructions[index];
    if (!run || !entry) return '';
    return t('results.epochShown', entry.epoch + epochOffset(run), epochTotal(run));
  }

  private showPairs(): void {
    const run = this.run;
    if (!run || run.reconstructions.length === 0) {
      replaceChildren(this.pairsHost);
      this.slider.set(0, 0, 0);
      return;
    }
    const index = this.shownIndex();
    this.slider.set(index, 0, run.reconstructions.length - 1);
    const pairs = run.reconstructions[index];
    this.showTextMetrics(run, pairs.epoch);
    if (pairs === this.shownPairs) return;
    this.shownPairs = pairs;
    this.pairsHost.dataset.epoch = String(pairs.epoch);
    replaceChildren(this.pairsHost, pairsView(pairs));
    if (run.status !== 'running') this.cell.setStatus('done', this.epochText(index));
  }

  private showTextMetrics(run: RunView, epoch: number): void {
    const metrics = run.epochs.find((m) => m.epoch === epoch);
    const shown = metrics?.val_exact_match !== undefined && metrics.val_char_accuracy !== undefined;
    this.textMetrics.hidden = !shown;
    if (!shown) return;
    const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
    this.textMetrics.textContent = t('results.textMetrics', epoch + epochOffset(run), percent(metrics.val_exact_match!), percent(metrics.val_char_accuracy!));
  }

  private isText(run: RunView): boolean {
    return run.config.preset === 'sequence' || (run.reconstructions[0]?.texts !== undefined && run.reconstructions[0].inputs === undefined);
  }

  private updateGenerateForm(run: RunView): void {
    const latest = run.reconstructions[run.reconstructions.length - 1];
    const indices = latest?.indices ?? [];
    const choices = indices.join();
    const text = this.isText(run);
    if (choices !== this.sampleChoices || text !== this.formForText) {
      this.sampleChoices = choices;
      this.formForText = text;
      const options = indices.map((index) => ({ value: String(index), label: t('results.sample', index) }));
      // A choice survives new epochs (same samples); otherwise the first two samples.
      const has = (value: string) => indices.some((index) => String(index) === value);
      if (!has(this.chosenA)) this.chosenA = String(indices[0] ?? '');
      if (!has(this.chosenB)) this.chosenB = String(indices[1] ?? indices[0] ?? '');
      const sampleA = dropdown({ label: t('results.sampleA'), value: this.chosenA, options, onChange: (value) => (this.chosenA = value) });
      const sampleB = dropdown({ label: t('results.sampleB'), value: this.chosenB, options, onChange: (value) => (this.chosenB = value) });
      const steps = textField({ label: t('results.steps'), value: this.steps, onChange: (value) => (this.steps = value) });
      const lines = text
        ? [
            textField({ label: t('results.lineA'), value: this.lineA, onChange: (value) => (this.lineA = value) }).element,
            textField({ label: t('results.lineB'), value: this.lineB, onChange: (value) => (this.lineB = value) }).element,
          ]
        : [];
      replaceChildren(this.generateForm, sampleA.element, sampleB.element, ...lines, steps.element);
      this.generateHint.textContent = text ? t('results.textGenerateHint') : t('results.generateHint');
    }
    // Generation decodes from the saved model, which exists once the run has ended.
    const ready = run.status !== 'running' && run.runDir !== '' && run.epochs.length > 0;
    // A VAE (or a variational text model) samples its N(0, I) prior; other models sample a normal
    // fitted to their codes (said in the tooltip).
    const variational = run.config.preset === 'vae' || (text && run.config.variational === true);
    this.generateButtons.interpolate.setDisabled(!ready || indices.length < 2);
    this.generateButtons.prior.setDisabled(!ready);
    this.generateButtons.prior.setLabel(text ? t('results.sampleLines') : t('results.prior'));
    this.generateButtons.prior.element.title = variational ? '' : text ? t('results.priorNotVariational') : t('results.priorFitted');
    this.generateButtons.grid.setDisabled(!ready);
    // Text: nearest lines instead of a picture grid over the code.
    this.generateButtons.grid.element.hidden = text;
    this.generateButtons.nearest.element.hidden = !text;
    this.generateButtons.nearest.setDisabled(!ready || indices.length < 1);
    this.generateButtons.nearest.element.title = t('results.nearestHint');
  }

  private async generate(mode: GenerateMode): Promise<void> {
    const steps = Math.min(32, Math.max(2, Math.round(Number(this.steps) || 8)));
    const request: GenerateRequest = { mode, steps };
    if (mode === 'interpolate' || mode === 'nearest') {
      // A typed line stands for the chosen sample (text runs only show the fields).
      const [lineA, lineB] = this.formForText ? [this.lineA.trim(), this.lineB.trim()] : ['', ''];
      if (lineA) request.textA = lineA;
      else request.a = Number(this.chosenA);
      if (mode === 'interpolate') {
        if (lineB) request.textB = lineB;
        else request.b = Number(this.chosenB);
      }
    }
    replaceChildren(this.generateHost, el('p', { className: 'ae-muted', text: t('results.generating') }));
    this.cell.setError(undefined);
    try {
      const result = await this.options.generate(request);
      if (result.images) {
        const items = Array.from({ length: result.images.count }, (_, i) => ({ index: i, label: t('results.generated', i + 1) }));
        const grid = imageGrid(result.images, items, mode === 'grid' ? 'ae-image-grid ae-generated-grid' : 'ae-image-grid ae-generated-strip');
        // A grid over the code is square: steps x steps.
        if (mode === 'grid') grid.style.gridTemplateColumns = `repeat(${Math.round(Math.sqrt(result.images.count)) || 1}, max-content)`;
        replaceChildren(this.generateHost, grid);
      } else if (result.neighbours) {
        const list = el('ol', { className: 'ae-text-samples ae-neighbours ae-mono' });
        for (const neighbour of result.neighbours) {
          const item = el('li', { attrs: { 'aria-label': t('results.neighbour', neighbour.text, neighbour.distance) } }, [
            el('span', { text: neighbour.text }),
            el('span', { className: 'ae-distance', text: ` · ${neighbour.distance}`, attrs: { 'aria-hidden': 'true' } }),
          ]);
          list.append(item);
        }
        replaceChildren(this.generateHost, list);
      } else if (result.texts) {
        const list = el('ol', { className: 'ae-text-samples ae-mono' });
        for (const text of result.texts) list.append(el('li', { text }));
        replaceChildren(this.generateHost, list);
      } else {
        replaceChildren(this.generateHost);
      }
    } catch (error) {
      replaceChildren(this.generateHost);
      this.cell.setError(error instanceof Error ? error.message : String(error));
    }
  }
}
