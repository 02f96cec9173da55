import type { LabState } from '../../src/protocol/lab-protocol';
import type { InspectResult } from '../../src/protocol/trainer-protocol';
import { DatasetView, sameDataset } from '../shared/dataset-view';
import { el, replaceChildren } from '../shared/dom';
import { t } from '../shared/strings';
import { Cell } from './cell';

export interface DatasetCellOptions {
  index: number;
  /** Reads a page of the dataset (page 0 re-runs the cell). */
  inspect(page: number): Promise<InspectResult>;
  /** Called after the cell ran again, so dependent cells re-run. */
  onRan(result: InspectResult): void;
}

/** The dataset cell: facts, a paged grid of samples and a value histogram of the lab's dataset. */
export class DatasetCell {
  readonly cell: Cell;
  private readonly view: DatasetView;
  private shown: InspectResult | undefined;
  private shownError: string | undefined;

  constructor(private readonly options: DatasetCellOptions) {
    this.cell = new Cell({ index: options.index, title: t('dataset.title'), onRun: () => void this.run() });
    this.view = new DatasetView({ requestPage: (page) => void this.page(page) });
  }

  update(state: LabState): void {
    // A state message carries page 0 of the same dataset again: keep the page the user is on.
    if (state.dataset && state.dataset !== this.shown && !sameDataset(state.dataset, this.shown)) {
      this.show(state.dataset);
      this.cell.setStatus('done');
    }
    if (state.datasetError !== this.shownError) {
      this.shownError = state.datasetError;
      this.cell.setError(state.datasetError);
      if (state.datasetError) this.cell.setStatus('failed');
    }
    if (!state.dataset && !state.datasetError) {
      replaceChildren(this.cell.output, el('p', { className: 'ae-muted', text: t('dataset.none') }));
      this.cell.runButton?.setDisabled(true);
    } else {
      this.cell.runButton?.setDisabled(false);
    }
  }

  async run(): Promise<void> {
    this.cell.setStatus('running');
    this.cell.setError(undefined);
    try {
      const result = await this.options.inspect(0);
      this.show(result);
      this.cell.setStatus('done');
      this.options.onRan(result);
    } catch (error) {
      this.cell.setError(error instanceof Error ? error.message : String(error));
      this.cell.setStatus('failed');
    }
  }

  private async page(page: number): Promise<void> {
    try {
      this.show(await this.options.inspect(page));
    } catch (error) {
      this.cell.setError(error instanceof Error ? error.message : String(error));
      this.view.cancelLoading();
    }
  }

  private show(result: InspectResult): void {
    this.shown = result;
    this.view.update(result);
    if (this.view.element.parentElement !== this.cell.output) replaceChildren(this.cell.output, this.view.element);
  }
}
