import type { CodeProjection } from '../../src/protocol/trainer-protocol';
import { el } from './dom';
import { formatInteger } from './format';
import { t } from './strings';
import { categoricalPalette, themeColor } from './theme';

/**
 * The 2-D projection of the codes as a scatter on a canvas, coloured by label, with a legend
 * (swatch, class name, count) and a text summary for screen readers.
 */
export function scatterView(codes: CodeProjection, size = { width: 360, height: 280 }): HTMLElement {
  const count = Math.floor(codes.points.length / 2);
  const labels = codes.labels && codes.labels.length >= count ? codes.labels : undefined;
  const classes = labels ? [...new Set(labels)].sort((a, b) => a - b) : [];
  const palette = categoricalPalette();
  const colorOf = (label: number | undefined) => (label === undefined ? palette[0] : palette[classes.indexOf(label) % palette.length]);
  const nameOf = (label: number) => codes.classNames?.[label] ?? t('scatter.label', label);
  const summary = classes.length > 1
    ? t('results.codesSummary', formatInteger(count), codes.epoch, classes.length)
    : t('results.codesSummaryUnlabelled', formatInteger(count), codes.epoch);

  const canvas = el('canvas', { className: 'ae-scatter-canvas', attrs: { role: 'img', 'aria-label': summary } });
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(size.width * ratio);
  canvas.height = Math.round(size.height * ratio);
  canvas.style.width = `${size.width}px`;
  canvas.style.height = `${size.height}px`;
  const context = canvas.getContext('2d');
  if (context && count > 0) {
    context.scale(ratio, ratio);
    let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
    for (let i = 0; i < count; i++) {
      const x = codes.points[2 * i], y = codes.points[2 * i + 1];
      minX = Math.min(minX, x); maxX = Math.max(maxX, x);
      minY = Math.min(minY, y); maxY = Math.max(maxY, y);
    }
    const pad = 8;
    const spanX = maxX - minX || 1, spanY = maxY - minY || 1;
    context.strokeStyle = themeColor('--vscode-charts-lines', 'rgba(128,128,128,0.4)');
    context.strokeRect(0.5, 0.5, size.width - 1, size.height - 1);
    context.globalAlpha = 0.8;
    for (let i = 0; i < count; i++) {
      const px = pad + ((codes.points[2 * i] - minX) / spanX) * (size.width - 2 * pad);
      const py = size.height - pad - ((codes.points[2 * i + 1] - minY) / spanY) * (size.height - 2 * pad);
      context.fillStyle = colorOf(labels?.[i]);
      context.beginPath();
      context.arc(px, py, 2.5, 0, Math.PI * 2);
      context.fill();
    }
  }

  const legend = el('ul', { className: 'ae-legend', attrs: { 'aria-label': t('dataset.classes') } });
  if (labels) {
    const counts = new Map<number, number>();
    for (const label of labels.slice(0, count)) counts.set(label, (counts.get(label) ?? 0) + 1);
    for (const label of classes) {
      const swatch = el('span', { className: 'ae-legend-swatch', attrs: { 'aria-hidden': 'true' } });
      swatch.style.backgroundColor = colorOf(label);
      legend.append(el('li', {}, [swatch, el('span', { text: `${nameOf(label)} (${formatInteger(counts.get(label) ?? 0)})` })]));
    }
  }
  return el('figure', { className: 'ae-scatter' }, [canvas, labels ? legend : null, el('figcaption', { className: 'ae-caption', text: summary })]);
}
