import { el } from './dom';
import { formatInteger, formatValue } from './format';
import { t } from './strings';

/**
 * A value histogram as bars (bins over [min, max], equal width). Bar heights are set from script
 * (element.style is allowed by the content security policy; style attributes in markup are not).
 */
export function histogramView(bins: readonly number[], min: number, max: number): HTMLElement {
  const total = bins.reduce((sum, n) => sum + n, 0);
  const fullest = bins.reduce((best, n) => Math.max(best, n), 0);
  const label =
    bins.length === 0 || total === 0
      ? t('histogram.empty')
      : t('histogram.summary', formatInteger(total), bins.length, formatValue(min), formatValue(max), formatInteger(fullest));
  const bars = el('div', { className: 'ae-histogram-bars', attrs: { 'aria-hidden': 'true' } });
  bins.forEach((count, i) => {
    const bar = el('div', { className: 'ae-histogram-bar' });
    // sqrt keeps small bins visible next to a dominant one (images are mostly 0).
    bar.style.height = fullest > 0 ? `${Math.max(count > 0 ? 2 : 0, Math.sqrt(count / fullest) * 100)}%` : '0';
    const from = min + ((max - min) * i) / bins.length;
    const to = min + ((max - min) * (i + 1)) / bins.length;
    bar.title = `${formatValue(from)} – ${formatValue(to)}: ${formatInteger(count)}`;
    bars.append(bar);
  });
  return el('figure', { className: 'ae-histogram', attrs: { role: 'img', 'aria-label': label } }, [
    bars,
    el('div', { className: 'ae-histogram-axis', attrs: { 'aria-hidden': 'true' } }, [
      el('span', { text: formatValue(min) }),
      el('span', { text: formatValue(max) }),
    ]),
  ]);
}
