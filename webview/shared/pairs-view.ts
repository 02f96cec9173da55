import type { ImageBatch } from '../../src/protocol/trainer-protocol';
import { el } from './dom';
import { formatValue } from './format';
import { imageCanvas } from './image-grid';
import { t } from './strings';

/** Inputs and their reconstructions: the shape shared by `reconstructions` and `anomalies`. */
export interface PairSet {
  indices: number[];
  errors: number[];
  inputs?: ImageBatch;
  outputs?: ImageBatch;
  texts?: Array<{ input: string; output: string }>;
}

/**
 * Input and reconstruction side by side with each pair's error: image pairs on canvases, or for
 * text the input and reconstructed strings in a table. `limit` keeps the first pairs only.
 */
export function pairsView(pairs: PairSet, limit = Infinity): HTMLElement {
  const count = Math.min(limit, pairs.indices.length);
  if (pairs.inputs && pairs.outputs) {
    const list = el('ul', { className: 'ae-pairs', attrs: { role: 'list' } });
    for (let i = 0; i < count; i++) {
      const sample = pairs.indices[i];
      const error = formatValue(pairs.errors[i]);
      list.append(
        el('li', { className: 'ae-pair' }, [
          el('div', { className: 'ae-pair-images' }, [
            imageCanvas(pairs.inputs, i, t('results.inputImage', sample)),
            imageCanvas(pairs.outputs, i, t('results.outputImage', sample, error)),
          ]),
          el('span', { className: 'ae-pair-caption', text: `#${sample} · ${t('results.pairError', error)}`, attrs: { 'aria-hidden': 'true' } }),
        ]),
      );
    }
    return list;
  }
  const body = el('tbody');
  for (let i = 0; i < count; i++) {
    const text = pairs.texts?.[i];
    if (!text) continue;
    body.append(
      el('tr', {}, [
        el('td', { className: 'ae-mono', text: text.input }),
        markedReconstruction(text.input, text.output),
        el('td', { className: 'ae-number', text: formatValue(pairs.errors[i]) }),
      ]),
    );
  }
  const head = el('tr', {}, [t('results.input'), t('results.output'), t('results.error')].map((h) => el('th', { text: h, attrs: { scope: 'col' } })));
  return el('table', { className: 'ae-table ae-text-pairs' }, [el('thead', {}, [head]), body]);
}

/**
 * The reconstructed line with every character that differs from the input at its position marked
 * (characters are code points, as the model reads them); missing characters at the end show as one
 * mark. The cell says in words how many differ, for screen readers.
 */
function markedReconstruction(input: string, output: string): HTMLElement {
  const expected = Array.from(input);
  const actual = Array.from(output);
  const cell = el('td', { className: 'ae-mono ae-text-output' });
  let differing = 0;
  let run = '';
  const flush = () => {
    if (run) cell.append(document.createTextNode(run));
    run = '';
  };
  actual.forEach((ch, position) => {
    if (ch === expected[position]) {
      run += ch;
      return;
    }
    flush();
    differing++;
    cell.append(el('mark', { className: 'ae-text-diff', text: ch }));
  });
  flush();
  if (expected.length > actual.length) {
    differing += expected.length - actual.length;
    cell.append(el('mark', { className: 'ae-text-diff ae-text-missing', text: '\u2026', attrs: { 'aria-hidden': 'true' } }));
  }
  cell.dataset.differing = String(differing);
  const summary = differing === 0 ? t('results.textSame') : differing === 1 ? t('results.textDiffersOne') : t('results.textDiffers', differing);
  cell.title = summary;
  cell.append(el('span', { className: 'ae-visually-hidden', text: ` (${summary})` }));
  return cell;
}
