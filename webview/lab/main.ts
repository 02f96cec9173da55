import type { LabState, ToLab } from '../../src/protocol/lab-protocol';
import { RunAnnouncer } from '../shared/announcer';
import { registerComponents } from '../shared/components';
import { el, replaceChildren } from '../shared/dom';
import { frameScheduler } from '../shared/frame-scheduler';
import { reduceLabMessage } from '../shared/run-reducer';
import { setStrings, t } from '../shared/strings';
import { connectToHost, loadViewState, saveViewState } from '../shared/vscode-api';
import { DatasetCell } from './dataset-cell';
import { configKey } from './config-fields';
import { ModelCell } from './model-cell';
import { ResultsCell } from './results-cell';
import { TrainCell } from './train-cell';

/** What VS Code keeps for this panel across hide/show and reloads. */
interface LabViewState {
  scrollY: number;
  /** undefined: the results follow the latest epoch. */
  epochIndex: number | undefined;
  logScale: boolean;
}

registerComponents();
const app = document.getElementById('app') ?? document.body.appendChild(el('div', { id: 'app' }));
const viewState = loadViewState<LabViewState>({ scrollY: 0, epochIndex: undefined, logScale: false });
const saveState = () => saveViewState(viewState);

let state: LabState | undefined;
let cells: ReturnType<typeof buildCells> | undefined;
/** The config the shown run trained with (configKey), to tell when the model cell has moved on. */
let trainedConfig: string | undefined;
let trainedRunDir: string | undefined;

replaceChildren(app, el('p', { className: 'ae-muted ae-loading', text: t('lab.loading') }));

const host = connectToHost((message: ToLab) => {
  state = reduceLabMessage(state, message);
  if (message.type === 'state') setStrings(message.state.strings);
  scheduleRender();
});

const scheduleRender = frameScheduler(render);

function buildCells() {
  const announcer = new RunAnnouncer();
  const model = new ModelCell({
    index: 2,
    describe: (config) => host.request({ type: 'describe', config }),
    onRan: (config, graph) => {
      // The graph shown is the one just built (the host's next state says the same).
      if (state) state = { ...state, graph, graphError: undefined };
      train.setModelChanged(trainedConfig !== undefined && trainedConfig !== configKey(config));
    },
    onEdited: () => train.setModelChanged(trainedConfig !== undefined),
  });
  const dataset = new DatasetCell({
    index: 1,
    inspect: (page) => host.request({ type: 'inspect', page }),
    onRan: (result) => {
      if (state) state = { ...state, dataset: result, datasetError: undefined };
      // The model's input shape comes from the dataset: re-run the model cell.
      void model.run();
    },
  });
  const train: TrainCell = new TrainCell({
    index: 3,
    logScale: viewState.logScale,
    train: () => {
      const config = model.config();
      if (!config) return false;
      trainedConfig = configKey(config);
      train.setModelChanged(false);
      host.send({ type: 'train', config });
      return true;
    },
    pause: () => host.send({ type: 'pause' }),
    resume: () => host.send({ type: 'resume' }),
    stop: () => host.send({ type: 'stop' }),
    revealRun: () => host.send({ type: 'revealRun' }),
    installNativeBackend: () => host.send({ type: 'installNativeBackend' }),
    onLogScale: (on) => {
      viewState.logScale = on;
      saveState();
    },
  });
  const results = new ResultsCell({
    index: 4,
    epochIndex: viewState.epochIndex,
    onEpochIndex: (index) => {
      viewState.epochIndex = index;
      saveState();
    },
    generate: (request) => host.request({ type: 'generate', ...request }),
  });
  const main = el('main', { className: 'ae-lab' }, [
    el('h1', { className: 'ae-lab-title', text: t('lab.title') }),
    dataset.cell.element,
    model.cell.element,
    train.cell.element,
    results.cell.element,
    announcer.element,
  ]);
  return { main, dataset, model, train, results, announcer };
}

function render(): void {
  if (!state) return;
  if (!cells) {
    // Built on the first state: the strings the cells show arrive with it.
    cells = buildCells();
    replaceChildren(app, cells.main);
    cells.train.setModelChanged(false);
    renderCells(state);
    requestAnimationFrame(() => window.scrollTo(0, viewState.scrollY));
    return;
  }
  renderCells(state);
}

function renderCells(current: LabState): void {
  if (!cells) return;
  if (current.run && current.run.runDir !== trainedRunDir) {
    // A run started (or was opened): the model cell now shows its config.
    trainedRunDir = current.run.runDir;
    trainedConfig = configKey(current.run.config);
    cells.train.setModelChanged(false);
  }
  cells.dataset.update(current);
  cells.model.update(current);
  cells.train.update(current);
  cells.results.update(current);
  cells.announcer.update(current.run);
}

const saveScroll = frameScheduler(() => {
  viewState.scrollY = window.scrollY;
  saveState();
});
window.addEventListener('scroll', saveScroll, { passive: true });
