import type { InspectResult } from '../../src/protocol/trainer-protocol';
import { button, type Button } from './components';
import { el, replaceChildren } from './dom';
import { formatInteger, formatShape, formatValue } from './format';
import { histogramView } from './histogram';
import { imageGrid } from './image-grid';
import { t } from './strings';

export interface DatasetViewOptions {
  /** Asks for another page of samples; the view shows it when `update` is called with the reply. */
  requestPage(page: number): void;
  /** The inspector shows the full statistics; the lab's dataset cell too. */
  showStatistics?: boolean;
}

/**
 * A dataset as the lab's dataset cell and the inspector show it: facts (format, count, shape,
 * dtype, statistics, classes), a paged grid of samples (images, strings or rows), a value
 * histogram and, for tables, statistics per column. One component, two places.
 */
export class DatasetView {
  readonly element: HTMLElement;
  private readonly facts = el('div', { className: 'ae-dataset-facts' });
  private readonly samples = el('div', { className: 'ae-dataset-samples' });
  private readonly pageLabel = el('span', { className: 'ae-page-label', attrs: { 'aria-live': 'polite' } });
  private readonly prev: Button;
  private readonly next: Button;
  private readonly side = el('div', { className: 'ae-dataset-side' });
  private result: InspectResult | undefined;

  constructor(private readonly options: DatasetViewOptions) {
    this.prev = button({ label: t('dataset.prevPage'), icon: 'chevron-left', appearance: 'secondary', onClick: () => this.go(-1) });
    this.next = button({ label: t('dataset.nextPage'), icon: 'chevron-right', appearance: 'secondary', onClick: () => this.go(1) });
    const pager = el('div', { className: 'ae-pager' }, [this.prev.element, this.pageLabel, this.next.element]);
    this.element = el('div', { className: 'ae-dataset' }, [
      this.facts,
      el('div', { className: 'ae-dataset-main' }, [
        el('section', { className: 'ae-dataset-page', attrs: { 'aria-label': t('dataset.samples') } }, [
          el('h3', { text: t('dataset.samples') }),
          pager,
          this.samples,
        ]),
        this.side,
      ]),
    ]);
  }

  update(result: InspectResult): void {
    if (result === this.result) return;
    const summaryChanged = result.summary !== this.result?.summary || result.stats !== this.result?.stats;
    this.result = result;
    if (summaryChanged) {
      replaceChildren(this.facts, this.factList(result));
      replaceChildren(this.side, ...this.sidePanels(result));
    }
    this.showPage(result);
  }

  /** While a page request is out. */
  setLoading(page: number): void {
    this.pageLabel.textContent = t('dataset.loadingPage', page + 1);
    this.prev.setDisabled(true);
    this.next.setDisabled(true);
  }

  /** A page request failed: show the current page again. */
  cancelLoading(): void {
    if (this.result) this.showPage(this.result);
  }

  private pageCount(result: InspectResult): number {
    return Math.max(1, Math.ceil(result.summary.count / Math.max(1, result.pageSize)));
  }

  private go(delta: number): void {
    if (!this.result) return;
    const page = this.result.page + delta;
    if (page < 0 || page >= this.pageCount(this.result)) return;
    this.setLoading(page);
    this.options.requestPage(page);
  }

  private factList(result: InspectResult): HTMLElement {
    const { summary, stats } = result;
    const rows: Array<[string, string]> = [
      [t('dataset.name'), summary.name],
      [t('dataset.format'), summary.format],
      [t('dataset.kind'), summary.kind],
      [t('dataset.count'), formatInteger(summary.count)],
      [t('dataset.shape'), formatShape(summary.sampleShape)],
      [t('dataset.dtype'), summary.dtype],
    ];
    // What the model sees, when it differs (channels added to images).
    if (summary.inputShape.join() !== summary.sampleShape.join()) rows.splice(5, 0, [t('dataset.inputShape'), formatShape(summary.inputShape)]);
    if (summary.vocabularySize !== undefined) rows.push([t('dataset.vocabulary'), formatInteger(summary.vocabularySize)]);
    if (this.options.showStatistics !== false) {
      // A text dataset's statistics are of its line lengths (src/data/stats.ts).
      const text = summary.kind === 'text';
      rows.push(
        [t(text ? 'dataset.shortestLine' : 'dataset.min'), formatValue(stats.min)],
        [t(text ? 'dataset.longestLine' : 'dataset.max'), formatValue(stats.max)],
        [t(text ? 'dataset.meanLength' : 'dataset.mean'), formatValue(stats.mean)],
        [t('dataset.std'), formatValue(stats.std)],
      );
    }
    const names = summary.classNames;
    rows.push([t('dataset.classes'), names && names.length > 0 ? `${names.length}` : t('dataset.noClasses')]);
    const list = el('dl', { className: 'ae-facts' });
    for (const [term, value] of rows) list.append(el('div', {}, [el('dt', { text: term }), el('dd', { text: value })]));
    return el('div', {}, [list, el('p', { className: 'ae-muted ae-dataset-path', text: `${t('dataset.path')}: ${summary.path}` })]);
  }

  private sidePanels(result: InspectResult): HTMLElement[] {
    const panels: HTMLElement[] = [];
    const { summary, stats } = result;
    if (summary.classNames && summary.classCounts) {
      const counts = summary.classCounts;
      const largest = Math.max(1, ...counts);
      const list = el('ul', { className: 'ae-class-counts', attrs: { 'aria-label': t('dataset.classCounts') } });
      summary.classNames.forEach((name, i) => {
        const bar = el('span', { className: 'ae-class-bar', attrs: { 'aria-hidden': 'true' } });
        bar.style.width = `${((counts[i] ?? 0) / largest) * 100}%`;
        list.append(
          el('li', {}, [el('span', { className: 'ae-class-name', text: name }), el('span', { className: 'ae-class-track' }, [bar]), el('span', { className: 'ae-class-count', text: formatInteger(counts[i] ?? 0) })]),
        );
      });
      panels.push(el('section', { className: 'ae-panel' }, [el('h3', { text: t('dataset.classCounts') }), list]));
    }
    const histogramTitle = t(summary.kind === 'text' ? 'dataset.lengthHistogram' : 'dataset.histogram');
    panels.push(el('section', { className: 'ae-panel' }, [el('h3', { text: histogramTitle }), histogramView(stats.histogram, stats.min, stats.max)]));
    if (stats.columns && stats.columns.length > 0) panels.push(el('section', { className: 'ae-panel ae-panel-wide' }, [el('h3', { text: t('dataset.columns') }), columnTable(result)]));
    return panels;
  }

  private showPage(result: InspectResult): void {
    const pages = this.pageCount(result);
    this.pageLabel.textContent = t('dataset.page', result.page + 1, pages);
    this.prev.setDisabled(result.page <= 0);
    this.next.setDisabled(result.page >= pages - 1);
    const first = result.page * result.pageSize;
    const names = result.summary.classNames;
    if (result.samples) {
      const items = Array.from({ length: result.samples.count }, (_, i) => {
        const label = result.sampleLabels?.[i];
        const className = label !== undefined ? (names?.[label] ?? String(label)) : undefined;
        return {
          index: i,
          label: className !== undefined ? t('dataset.sampleLabelClass', sampleIndex(result, i), className) : t('dataset.sampleLabel', sampleIndex(result, i)),
          caption: className,
        };
      });
      replaceChildren(this.samples, imageGrid(result.samples, items));
    } else if (result.texts) {
      const list = el('ol', { className: 'ae-text-samples', attrs: { start: String(first + 1) } });
      for (const text of result.texts) list.append(el('li', { text }));
      replaceChildren(this.samples, list);
    } else if (result.rows) {
      replaceChildren(this.samples, rowTable(result));
    } else {
      replaceChildren(this.samples);
    }
  }
}

/** The dataset index of the page's i-th sample. */
function sampleIndex(result: InspectResult, i: number): number {
  return result.sampleIndices?.[i] ?? result.page * result.pageSize + i;
}

function rowTable(result: InspectResult): HTMLElement {
  const columns = result.summary.columns ?? result.rows?.[0]?.map((_, i) => String(i)) ?? [];
  const head = el('tr', {}, [el('th', { text: '#', attrs: { scope: 'col' } }), ...columns.map((name) => el('th', { text: name, attrs: { scope: 'col' } }))]);
  const body = el('tbody');
  (result.rows ?? []).forEach((row, i) => {
    body.append(el('tr', {}, [el('th', { text: String(sampleIndex(result, i)), attrs: { scope: 'row' } }), ...row.map((v) => el('td', { text: formatValue(v) }))]));
  });
  return el('div', { className: 'ae-table-scroll', attrs: { tabindex: '0', role: 'region', 'aria-label': t('dataset.rows') } }, [
    el('table', { className: 'ae-table' }, [el('thead', {}, [head]), body]),
  ]);
}

function columnTable(result: InspectResult): HTMLElement {
  const header = [t('dataset.column'), t('dataset.min'), t('dataset.max'), t('dataset.mean'), t('dataset.std')];
  const body = el('tbody');
  for (const column of result.stats.columns ?? []) {
    body.append(
      el('tr', {}, [
        el('th', { text: column.name, attrs: { scope: 'row' } }),
        el('td', { text: formatValue(column.min) }),
        el('td', { text: formatValue(column.max) }),
        el('td', { text: formatValue(column.mean) }),
        el('td', { text: formatValue(column.std) }),
      ]),
    );
  }
  return el('div', { className: 'ae-table-scroll', attrs: { tabindex: '0', role: 'region', 'aria-label': t('dataset.columns') } }, [
    el('table', { className: 'ae-table' }, [el('thead', {}, [el('tr', {}, header.map((h) => el('th', { text: h, attrs: { scope: 'col' } })))]), body]),
  ]);
}

/** Same file, same contents (as far as the summary and statistics tell). */
export function sameDataset(a: InspectResult, b: InspectResult | undefined): boolean {
  return b !== undefined && a.summary.path === b.summary.path && JSON.stringify(a.summary) === JSON.stringify(b.summary) && JSON.stringify(a.stats) === JSON.stringify(b.stats);
}
