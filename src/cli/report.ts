import { PNG } from 'pngjs';
import type { CodeProjection, EpochMetrics, ImageBatch, ModelGraph } from '../protocol/trainer-protocol';
import type { RunRecord } from '../trainer/runs';
import { describeStopReason } from './stop-reason-text';
import type { TextGeneration } from './text-generation';

/**
 * A self-contained report.html of one run: no scripts, no external files. The loss curve is inline
 * SVG, the images are PNG data: URIs (pngjs), the style is inline.
 */

export interface ReportInput {
  run: RunRecord;
  /** Library versions reported by the trainer (tfjs, backend, node). */
  versions?: Record<string, string>;
  /** Wall-clock seconds from the CLI's start to the end of the run. */
  totalSeconds?: number;
  /** Text runs: lines decoded from the code space after training (the CLI asks the trainer). */
  text?: TextGeneration;
}

export function renderReport({ run, versions, totalSeconds, text }: ReportInput): string {
  const info = run.info;
  const lastEpoch = run.epochs.at(-1);
  const trainingSeconds = run.epochs.reduce((sum, m) => sum + m.seconds, 0);
  const facts: [string, string][] = [
    ['Status', info.status],
    ['Dataset', info.dataset ?? '—'],
    ['Preset', info.preset ?? String(run.config.preset ?? '—')],
    ['Backend', run.backend ?? '—'],
    ['Epochs', typeof run.config.epochs === 'number' ? `${info.epochsCompleted} of ${run.config.epochs}` : `${info.epochsCompleted} (automatic, at most ${info.epochs ?? '?'})`],
    ['Ended because', info.stopReason ? describeStopReason(info.stopReason, typeof run.config.patience === 'number' ? run.config.patience : undefined) : '—'],
    ['Model kept', info.bestEpoch ? `epoch ${info.bestEpoch}${info.bestValMse != null ? `, validation MSE ${formatNumber(info.bestValMse)}` : ''}` : '—'],
    ...(info.tfjsNode ? [['tfjs-node loaded from', info.tfjsNode] as [string, string]] : []),
    ['Final loss', lastEpoch ? formatNumber(lastEpoch.loss) : '—'],
    ['Final validation loss', lastEpoch?.val_loss != null ? formatNumber(lastEpoch.val_loss) : '—'],
    ...textFacts(run.epochs, info.bestEpoch),
    ['Training time', `${trainingSeconds.toFixed(1)} s over ${run.epochs.length} epoch(s)`],
    ['Mean speed', run.epochs.length ? `${Math.round(mean(run.epochs.map((m) => m.samples_per_second)))} samples/s` : '—'],
    ['Started', info.startedAt ?? '—'],
    ['Ended', info.endedAt ?? '—'],
  ];
  if (totalSeconds !== undefined) facts.push(['Wall time (CLI)', `${totalSeconds.toFixed(1)} s`]);
  if (versions) facts.push(['Versions', Object.entries(versions).map(([k, v]) => `${k} ${v}`).join(', ')]);
  if (run.error) facts.push(['Error', run.error]);
  for (const notice of info.notices ?? []) facts.push(['Warning', notice.message]);

  const latest = run.reconstructions.at(-1);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Autoencoder Lab — ${escapeHtml(run.name)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Autoencoder Lab report</h1>
<p class="subtitle">${escapeHtml(run.name)}</p>
<section><h2>Run</h2>${factTable(facts)}</section>
<section><h2>Loss</h2>${lossChart(run.epochs)}${metricsTable(run.epochs, info.bestEpoch)}</section>
${run.graph ? `<section><h2>Model</h2>${modelTable(run.graph)}</section>` : ''}
${latest ? `<section><h2>Reconstructions (epoch ${latest.epoch})</h2>${samplesGrid(latest.indices, latest.errors, latest.inputs, latest.outputs, latest.texts)}</section>` : ''}
${text ? textGenerationSections(text) : ''}
${run.codes && run.codes.points.length >= 4 ? `<section><h2>Codes (PCA, epoch ${run.codes.epoch})</h2>${codesScatter(run.codes)}</section>` : ''}
${run.anomalies && run.anomalies.indices.length ? `<section><h2>Worst reconstructed validation samples</h2>${samplesGrid(run.anomalies.indices, run.anomalies.errors, run.anomalies.inputs, run.anomalies.outputs, run.anomalies.texts)}</section>` : ''}
<section><h2>Configuration</h2><pre>${escapeHtml(JSON.stringify(run.config, null, 2))}</pre></section>
</body>
</html>
`;
}

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 980px; padding: 0 1rem; color: #1f2328; background: #fff; }
h1 { font-size: 1.6rem; margin-bottom: 0; } h2 { font-size: 1.15rem; border-bottom: 1px solid #d0d7de; padding-bottom: .25rem; }
.subtitle { color: #57606a; margin-top: .2rem; font-family: ui-monospace, monospace; }
mark { background: #ffebe9; color: #cf222e; } ol.lines { margin: 0; }
table { border-collapse: collapse; } td, th { padding: .2rem .7rem .2rem 0; text-align: left; vertical-align: top; }
th { font-weight: 600; color: #57606a; } .num { text-align: right; font-variant-numeric: tabular-nums; }
table.data tr:nth-child(even) td { background: #f6f8fa; } table.data tr.best td { font-weight: 600; background: #ddf4ff; }
.grid td { text-align: center; padding: .25rem; font-size: 12px; color: #57606a; }
.grid img { width: 84px; image-rendering: pixelated; border: 1px solid #d0d7de; display: block; margin: auto; }
.grid img.strip { width: 180px; height: 14px; }
.group-encoder td:first-child { border-left: 3px solid #0969da; } .group-code td:first-child { border-left: 3px solid #8250df; }
.group-decoder td:first-child { border-left: 3px solid #1a7f37; } .group-input td:first-child { border-left: 3px solid #8c959f; }
pre { background: #f6f8fa; padding: .75rem; overflow: auto; }
svg text { font: 11px system-ui, sans-serif; fill: #57606a; }
.scatter { display: flex; gap: 1.5rem; align-items: flex-start; }
.legend { list-style: none; padding: 0; margin: 0; } .legend li { margin: .15rem 0; }
.legend span { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: .4rem; }
`;

function factTable(facts: [string, string][]): string {
  return `<table>${facts.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</table>`;
}

/** Rows shown in the metrics table: every epoch of a short run, an even spread of a long one. */
const METRIC_ROWS = 60;

function metricsTable(metrics: EpochMetrics[], bestEpoch: number | undefined): string {
  if (!metrics.length) return '<p>No epoch finished.</p>';
  const shown = metrics.length <= METRIC_ROWS ? metrics : thinned(metrics, bestEpoch);
  // Text runs: held-out exact match and character accuracy (greedy decoding) instead of an MSE.
  const text = metrics.some((m) => m.val_exact_match !== undefined);
  const quality = (m: EpochMetrics) =>
    text
      ? `<td class="num">${m.val_exact_match === undefined ? '—' : percent(m.val_exact_match)}</td><td class="num">${m.val_char_accuracy === undefined ? '—' : percent(m.val_char_accuracy)}</td>`
      : `<td class="num">${m.val_mse == null ? '—' : formatNumber(m.val_mse)}</td>`;
  // Runs with a learning-rate schedule (learningRateSchedule: anneal) record each epoch's rate.
  const scheduled = metrics.some((m) => m.learning_rate !== undefined);
  const rate = (m: EpochMetrics) => (scheduled ? `<td class="num">${m.learning_rate === undefined ? '—' : m.learning_rate.toPrecision(2)}</td>` : '');
  const rows = shown
    .map(
      (m) =>
        `<tr${m.epoch === bestEpoch ? ' class="best"' : ''}><td class="num">${m.epoch}${m.epoch === bestEpoch ? ' (kept)' : ''}</td><td class="num">${formatNumber(m.loss)}</td>` +
        `<td class="num">${m.val_loss == null ? '—' : formatNumber(m.val_loss)}</td>${quality(m)}` +
        `<td class="num">${m.seconds.toFixed(2)}</td><td class="num">${Math.round(m.samples_per_second)}</td>${rate(m)}</tr>`,
    )
    .join('');
  const qualityHeads = text ? '<th class="num">Lines exact</th><th class="num">Characters right</th>' : '<th class="num">Validation MSE</th>';
  return (
    `<table class="data"><tr><th>Epoch</th><th class="num">Loss</th><th class="num">Validation loss</th>${qualityHeads}` +
    `<th class="num">Seconds</th><th class="num">Samples/s</th>${scheduled ? '<th class="num">Learning rate</th>' : ''}</tr>${rows}</table>`
  );
}

function percent(value: number): string {
  return `${(value * 100).toFixed(1)}%`;
}

/** Text runs: the kept epoch's held-out exact match and character accuracy. */
function textFacts(metrics: EpochMetrics[], bestEpoch: number | undefined): [string, string][] {
  const kept = metrics.find((m) => m.epoch === bestEpoch) ?? metrics.at(-1);
  if (kept?.val_exact_match === undefined || kept.val_char_accuracy === undefined) return [];
  return [
    ['Held-out lines reconstructed exactly', `${percent(kept.val_exact_match)} (epoch ${kept.epoch}, greedy decoding)`],
    ['Held-out characters right', percent(kept.val_char_accuracy)],
  ];
}

function textGenerationSections(text: TextGeneration): string {
  const list = (lines: string[]) => `<ol class="lines">${lines.map((line) => `<li><code>${escapeHtml(line)}</code></li>`).join('')}</ol>`;
  const parts: string[] = [];
  if (text.interpolation) {
    parts.push(
      `<section><h2>Interpolation</h2><p>From <code>${escapeHtml(text.interpolation.from)}</code> to <code>${escapeHtml(text.interpolation.to)}</code> through the code space, each step decoded:</p>${list(text.interpolation.lines)}</section>`,
    );
  }
  if (text.samples) {
    const how = text.variational ? 'codes drawn from the prior N(0, I)' : "codes drawn from a normal distribution fitted to the data's codes (not variational)";
    parts.push(`<section><h2>Sampled lines</h2><p>New lines decoded from ${how}:</p>${list(text.samples)}</section>`);
  }
  if (text.nearest) {
    const rows = text.nearest.neighbours
      .map((n) => `<tr><td class="num">#${n.index}</td><td><code>${escapeHtml(n.text)}</code></td><td class="num">${formatNumber(n.distance)}</td></tr>`)
      .join('');
    parts.push(
      `<section><h2>Nearest lines</h2><p>The lines whose codes are nearest to <code>${escapeHtml(text.nearest.line)}</code>:</p><table class="data"><tr><th>Sample</th><th>Line</th><th class="num">Distance</th></tr>${rows}</table></section>`,
    );
  }
  return parts.join('\n');
}

/** The reconstruction with the characters that differ from the input (position by position) marked. */
function markedText(input: string, output: string): string {
  const expected = Array.from(input);
  const actual = Array.from(output);
  const marked = actual.map((ch, i) => (ch === expected[i] ? escapeHtml(ch) : `<mark>${escapeHtml(ch)}</mark>`)).join('');
  return expected.length > actual.length ? `${marked}<mark title="missing characters">…</mark>` : marked;
}

/** An even spread of epochs, always with the first, the last and the kept one. */
function thinned(metrics: EpochMetrics[], bestEpoch: number | undefined): EpochMetrics[] {
  const picked = new Set<number>();
  for (let i = 0; i < METRIC_ROWS; i++) picked.add(Math.round((i * (metrics.length - 1)) / (METRIC_ROWS - 1)));
  const best = metrics.findIndex((m) => m.epoch === bestEpoch);
  if (best >= 0) picked.add(best);
  return [...picked].sort((a, b) => a - b).map((i) => metrics[i]);
}

/** An inline SVG line chart of training and validation loss per epoch. */
export function lossChart(metrics: EpochMetrics[]): string {
  if (!metrics.length) return '';
  const width = 640;
  const height = 260;
  const left = 64;
  const right = 16;
  const top = 16;
  const bottom = 36;
  const values = metrics.flatMap((m) => (m.val_loss == null ? [m.loss] : [m.loss, m.val_loss])).filter(Number.isFinite);
  let low = Math.min(...values);
  let high = Math.max(...values);
  if (high - low < 1e-12) {
    high += Math.abs(high) * 0.1 || 1;
    low -= Math.abs(low) * 0.1 || 1;
  }
  const padding = (high - low) * 0.08;
  low = Math.max(0, low - padding);
  high += padding;
  const firstEpoch = metrics[0].epoch;
  const lastEpoch = metrics[metrics.length - 1].epoch;
  const x = (epoch: number) => left + (lastEpoch === firstEpoch ? (width - left - right) / 2 : ((epoch - firstEpoch) / (lastEpoch - firstEpoch)) * (width - left - right));
  const y = (value: number) => top + (1 - (value - low) / (high - low)) * (height - top - bottom);

  const yTicks = niceTicks(low, high, 5);
  const xTicks = integerTicks(firstEpoch, lastEpoch, 10);
  const grid = yTicks
    .map((t) => `<line x1="${left}" x2="${width - right}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="#eaeef2"/><text x="${left - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end">${formatNumber(t)}</text>`)
    .join('');
  const xLabels = xTicks.map((t) => `<text x="${x(t).toFixed(1)}" y="${height - bottom + 16}" text-anchor="middle">${t}</text>`).join('');
  const series = (points: [number, number][], color: string, label: string) => {
    if (!points.length) return '';
    const path = points.map(([e, v], i) => `${i ? 'L' : 'M'}${x(e).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    const dots = points.map(([e, v]) => `<circle cx="${x(e).toFixed(1)}" cy="${y(v).toFixed(1)}" r="3" fill="${color}"><title>${label} ${formatNumber(v)} (epoch ${e})</title></circle>`).join('');
    return `<path d="${path}" fill="none" stroke="${color}" stroke-width="2"/>${dots}`;
  };
  const train = metrics.map((m): [number, number] => [m.epoch, m.loss]).filter(([, v]) => Number.isFinite(v));
  const validation = metrics.filter((m) => m.val_loss != null && Number.isFinite(m.val_loss)).map((m): [number, number] => [m.epoch, m.val_loss as number]);
  const legend =
    `<rect x="${width - right - 170}" y="${top}" width="10" height="10" fill="#0969da"/><text x="${width - right - 155}" y="${top + 9}">training loss</text>` +
    (validation.length ? `<rect x="${width - right - 80}" y="${top}" width="10" height="10" fill="#cf222e"/><text x="${width - right - 65}" y="${top + 9}">validation</text>` : '');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="Loss per epoch">` +
    `${grid}<line x1="${left}" x2="${left}" y1="${top}" y2="${height - bottom}" stroke="#8c959f"/>` +
    `<line x1="${left}" x2="${width - right}" y1="${height - bottom}" y2="${height - bottom}" stroke="#8c959f"/>${xLabels}` +
    `<text x="${(left + width - right) / 2}" y="${height - 4}" text-anchor="middle">epoch</text>` +
    `${series(train, '#0969da', 'loss')}${series(validation, '#cf222e', 'validation loss')}${legend}</svg>`
  );
}

const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

/** The 2-D projection of the codes as an inline SVG scatter plot, coloured by class when the data has labels. */
export function codesScatter(codes: CodeProjection): string {
  const size = 420;
  const margin = 12;
  const xs = codes.points.filter((_, i) => i % 2 === 0);
  const ys = codes.points.filter((_, i) => i % 2 === 1);
  const span = (values: number[]) => {
    const low = Math.min(...values);
    const high = Math.max(...values);
    return { low, range: high - low || 1 };
  };
  const sx = span(xs);
  const sy = span(ys);
  const dots = xs
    .map((x, i) => {
      const label = codes.labels?.[i];
      const color = label === undefined ? '#0969da' : PALETTE[label % PALETTE.length];
      const cx = margin + ((x - sx.low) / sx.range) * (size - 2 * margin);
      const cy = size - margin - ((ys[i] - sy.low) / sy.range) * (size - 2 * margin);
      return `<circle cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" r="2.5" fill="${color}" fill-opacity="0.75"/>`;
    })
    .join('');
  const present = [...new Set(codes.labels ?? [])].sort((a, b) => a - b);
  const legend = present.length
    ? `<ul class="legend">${present
        .map((label) => `<li><span style="background:${PALETTE[label % PALETTE.length]}"></span>${escapeHtml(codes.classNames?.[label] ?? String(label))}</li>`)
        .join('')}</ul>`
    : '';
  return (
    `<div class="scatter"><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${size} ${size}" width="${size}" height="${size}" role="img" ` +
    `aria-label="Codes projected on their two principal axes"><rect width="${size}" height="${size}" fill="#fff" stroke="#d0d7de"/>${dots}</svg>${legend}</div>`
  );
}

function modelTable(graph: ModelGraph): string {
  const rows = graph.layers
    .map(
      (layer) =>
        `<tr class="group-${layer.group}"><td>${escapeHtml(layer.name)}</td><td>${escapeHtml(layer.className)}</td>` +
        `<td>[${layer.outputShape.map((d) => (d === null ? 'batch' : d)).join(', ')}]</td><td class="num">${layer.params.toLocaleString('en-US')}</td><td>${layer.group}</td></tr>`,
    )
    .join('');
  return (
    `<p>Preset <b>${escapeHtml(graph.preset)}</b>, code shape [${graph.codeShape.map((d) => (d === null ? 'batch' : d)).join(', ')}], ` +
    `${graph.totalParams.toLocaleString('en-US')} parameters.</p>` +
    `<table class="data"><tr><th>Layer</th><th>Type</th><th>Output shape</th><th class="num">Parameters</th><th>Part</th></tr>${rows}</table>`
  );
}

function samplesGrid(
  indices: number[],
  errors: number[],
  inputs: ImageBatch | undefined,
  outputs: ImageBatch | undefined,
  texts: { input: string; output: string }[] | undefined,
): string {
  if (texts) {
    const rows = texts
      .map((t, i) => `<tr><td class="num">#${indices[i]}</td><td><code>${escapeHtml(t.input)}</code></td><td><code>${markedText(t.input, t.output)}</code></td><td class="num">${formatNumber(errors[i])}</td></tr>`)
      .join('');
    return `<table class="data"><tr><th>Sample</th><th>Input</th><th>Reconstruction</th><th class="num">Error</th></tr>${rows}</table>`;
  }
  if (!inputs || !outputs) return '';
  const strip = inputs.height === 1;
  const cell = (batch: ImageBatch, i: number) => `<td><img class="${strip ? 'strip' : ''}" alt="" src="${pngDataUri(batch, i)}"></td>`;
  const indexRow = indices.map((index) => `<td>#${index}</td>`).join('');
  const inputRow = indices.map((_, i) => cell(inputs, i)).join('');
  const outputRow = indices.map((_, i) => cell(outputs, i)).join('');
  const errorRow = errors.map((e) => `<td>${formatNumber(e)}</td>`).join('');
  return `<table class="grid"><tr><th></th>${indexRow}</tr><tr><th>input</th>${inputRow}</tr><tr><th>output</th>${outputRow}</tr><tr><th>error</th>${errorRow}</tr></table>`;
}

/** Image `index` of a batch as a PNG data: URI. */
export function pngDataUri(batch: ImageBatch, index: number): string {
  const pixels = Buffer.from(batch.pixels, 'base64');
  const size = batch.height * batch.width * batch.channels;
  const png = new PNG({ width: batch.width, height: batch.height });
  for (let p = 0; p < batch.height * batch.width; p++) {
    const source = index * size + p * batch.channels;
    const grey = pixels[source] ?? 0;
    png.data[p * 4] = grey;
    png.data[p * 4 + 1] = batch.channels === 3 ? (pixels[source + 1] ?? 0) : grey;
    png.data[p * 4 + 2] = batch.channels === 3 ? (pixels[source + 2] ?? 0) : grey;
    png.data[p * 4 + 3] = 255;
  }
  return `data:image/png;base64,${PNG.sync.write(png).toString('base64')}`;
}

function niceTicks(low: number, high: number, count: number): number[] {
  const rough = (high - low) / count;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= rough) ?? rough;
  const ticks: number[] = [];
  for (let t = Math.ceil(low / step) * step; t <= high + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

function integerTicks(first: number, last: number, most: number): number[] {
  const step = Math.max(1, Math.ceil((last - first + 1) / most));
  const ticks: number[] = [];
  for (let t = first; t <= last; t += step) ticks.push(t);
  return ticks;
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  return magnitude >= 1000 || magnitude < 0.001 ? value.toExponential(3) : Number(value.toPrecision(4)).toString();
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / (values.length || 1);
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}
