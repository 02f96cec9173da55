import type { RunView } from '../../src/protocol/lab-protocol';
import { button } from './components';
import { el, icon } from './dom';
import { t } from './strings';

/**
 * Shown while a run trains on wasm: says so and offers the native TensorFlow backend (the host's
 * "Install Native TensorFlow Backend" command). Shared by the Train cell and the Training view.
 */
export function nativeBackendOffer(install: () => void): { element: HTMLElement; update(run: RunView | undefined): void } {
  const install_ = button({ label: t('native.install'), icon: 'cloud-download', appearance: 'secondary', onClick: install });
  const element = el('div', { className: 'ae-native-offer', attrs: { role: 'note' } }, [
    icon('info'),
    el('span', { text: t('native.onWasm') }),
    install_.element,
  ]);
  element.hidden = true;
  return {
    element,
    update(run) {
      element.hidden = run?.backend !== 'wasm';
    },
  };
}
