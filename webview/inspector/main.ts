import type { LabState, ToLab } from '../../src/protocol/lab-protocol';
import type { InspectResult } from '../../src/protocol/trainer-protocol';
import { button, registerComponents } from '../shared/components';
import { DatasetView, sameDataset } from '../shared/dataset-view';
import { el, icon, replaceChildren } from '../shared/dom';
import { frameScheduler } from '../shared/frame-scheduler';
import { reduceLabMessage } from '../shared/run-reducer';
import { setStrings, t } from '../shared/strings';
import { connectToHost } from '../shared/vscode-api';

/**
 * The dataset inspector (custom editor and Inspect Dataset): format, count, shape, dtype,
 * statistics, class counts, a paged grid of samples, the value histogram, CSV column statistics.
 * A dataset that cannot be read shows the engine's error instead of a blank view.
 */

registerComponents();
const app = document.getElementById('app') ?? document.body.appendChild(el('div', { id: 'app' }));
let state: LabState | undefined;
let dataset: DatasetView | undefined;
let shownDataset: InspectResult | undefined;
let shownError: string | undefined;
const title = el('h1', { className: 'ae-lab-title' });
// The host opens the lab on this dataset and trains with the settings' defaults.
const trainButton = button({ label: t('inspector.train'), icon: 'play', onClick: () => host.send({ type: 'train', config: {} }) });
const header = el('header', { className: 'ae-inspector-header' }, [title, trainButton.element]);
const error = el('div', { className: 'ae-error ae-error-block', attrs: { role: 'alert' } });
const body = el('div', { className: 'ae-inspector-body' });

replaceChildren(app, el('p', { className: 'ae-muted ae-loading', text: t('lab.loading') }));

const host = connectToHost((message: ToLab) => {
  state = reduceLabMessage(state, message);
  if (message.type === 'state') setStrings(message.state.strings);
  scheduleRender();
});
const scheduleRender = frameScheduler(render);

async function requestPage(page: number): Promise<void> {
  try {
    // Shown directly: the host's state keeps page 0, which later state messages must not bring back.
    const result = await host.request({ type: 'inspect', page });
    shownDataset = result;
    dataset?.update(result);
  } catch (failure) {
    dataset?.cancelLoading();
    showError(failure instanceof Error ? failure.message : String(failure));
  }
}

function showError(message: string | undefined): void {
  error.hidden = message === undefined;
  replaceChildren(error, message === undefined ? null : icon('error'), message === undefined ? null : el('span', { text: message }));
}

function render(): void {
  if (!state) return;
  if (!dataset) {
    dataset = new DatasetView({ requestPage: (page) => void requestPage(page), showStatistics: true });
    trainButton.setLabel(t('inspector.train'));
    replaceChildren(app, el('main', { className: 'ae-inspector' }, [header, error, body]));
    showError(undefined);
  }
  if (state.datasetError !== shownError) {
    shownError = state.datasetError;
    showError(state.datasetError);
    if (state.datasetError) {
      title.textContent = t('dataset.error');
    }
  }
  if (state.dataset && state.dataset !== shownDataset && !sameDataset(state.dataset, shownDataset)) {
    shownDataset = state.dataset;
    title.textContent = `${t('inspector.title')}: ${state.dataset.summary.name}`;
    dataset.update(state.dataset);
    if (dataset.element.parentElement !== body) replaceChildren(body, dataset.element);
  } else if (!state.dataset) {
    // Neither a dataset nor an error yet: the host is still reading the file.
    if (!state.datasetError) title.textContent = t('inspector.title');
    replaceChildren(body, state.datasetError ? null : el('p', { className: 'ae-muted', text: t('lab.loading') }));
  }
  trainButton.element.hidden = !state.dataset;
}
