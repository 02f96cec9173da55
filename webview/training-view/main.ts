import type { LabState, RunView, ToLab } from '../../src/protocol/lab-protocol';
import { RunAnnouncer } from '../shared/announcer';
import { button, registerComponents } from '../shared/components';
import { el, icon, replaceChildren } from '../shared/dom';
import { frameScheduler } from '../shared/frame-scheduler';
import { LossChart } from '../shared/loss-chart';
import { pairsView } from '../shared/pairs-view';
import { noticeTexts, outcomeParts, progressParts, runStatusText } from '../shared/progress-text';
import { nativeBackendOffer } from '../shared/native-backend-offer';
import { reduceLabMessage } from '../shared/run-reducer';
import { setStrings, t } from '../shared/strings';
import { connectToHost } from '../shared/vscode-api';

/**
 * The Training view in the side panel: the same state, reducer and components as the lab, small:
 * loss sparkline, latest reconstructions, progress in words and a Stop button.
 */

const LATEST_PAIRS = 4;

registerComponents();
const app = document.getElementById('app') ?? document.body.appendChild(el('div', { id: 'app' }));
let state: LabState | undefined;
let view: ReturnType<typeof buildView> | undefined;

const host = connectToHost((message: ToLab) => {
  state = reduceLabMessage(state, message);
  if (message.type === 'state') setStrings(message.state.strings);
  scheduleRender();
});
const scheduleRender = frameScheduler(render);

function buildView() {
  const status = el('h2', { className: 'ae-view-status' });
  const progress = el('p', { className: 'ae-progress ae-progress-compact' });
  const chart = new LossChart({ compact: true });
  const pairs = el('div', { className: 'ae-view-pairs', attrs: { 'aria-label': t('view.latest') } });
  const stop = button({ label: t('train.stop'), icon: 'debug-stop', appearance: 'secondary', onClick: () => host.send({ type: 'stop' }) });
  const empty = el('p', { className: 'ae-muted', text: t('view.noRun') });
  const nativeOffer = nativeBackendOffer(() => host.send({ type: 'installNativeBackend' }));
  const announcer = new RunAnnouncer();
  const notices = el('div', { className: 'ae-notices', attrs: { role: 'status' } });
  const body = el('div', { className: 'ae-view-body' }, [
    el('div', { className: 'ae-view-head' }, [status, stop.element]),
    progress,
    notices,
    nativeOffer.element,
    chart.element,
    el('h3', { text: t('view.latest') }),
    pairs,
  ]);
  const root = el('main', { className: 'ae-training-view' }, [empty, body, announcer.element]);
  let shownRun: RunView | undefined;
  let shownPairs: unknown;
  return {
    root,
    update(run: RunView | undefined) {
      if (run === shownRun) return;
      shownRun = run;
      empty.hidden = run !== undefined;
      body.hidden = run === undefined;
      announcer.update(run);
      nativeOffer.update(run);
      if (!run) return;
      status.textContent = `${runStatusText(run)} · ${run.name}`;
      status.title = run.runDir;
      replaceChildren(progress, ...[...progressParts(run), ...outcomeParts(run)].map((part) => el('span', { className: 'ae-progress-part', text: part })));
      replaceChildren(notices, ...noticeTexts(run).map((text) => el('p', { className: 'ae-notice' }, [icon('warning'), el('span', { text })])));
      stop.setDisabled(run.status !== 'running');
      chart.update(run);
      const latest = run.reconstructions[run.reconstructions.length - 1];
      if (latest !== shownPairs) {
        shownPairs = latest;
        replaceChildren(pairs, latest ? pairsView(latest, LATEST_PAIRS) : null);
      }
    },
  };
}

function render(): void {
  if (!state) return;
  if (!view) {
    view = buildView();
    replaceChildren(app, view.root);
  }
  view.update(state.run);
}
