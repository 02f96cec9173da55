import uPlot from 'uplot';
import type { RunView } from '../../src/protocol/lab-protocol';
import { el } from './dom';
import { formatValue } from './format';
import { buildLossSeries, type LossSeries } from './loss-series';
import { t } from './strings';
import { onThemeChange, themeColor } from './theme';

export interface LossChartOptions {
  /** A sparkline for the side view: no axes, legend or cursor. */
  compact?: boolean;
  height?: number;
}

/**
 * Training and validation loss per epoch as points, the smoothed per-batch loss as a line, drawn
 * with uPlot. Values show on hover (uPlot's cursor and live legend); the y axis can be logarithmic.
 * The data counts are mirrored as data-* attributes (tests and screen-reader summary use them).
 */
export class LossChart {
  readonly element: HTMLElement;
  private readonly plotHost: HTMLElement;
  private readonly summary: HTMLElement;
  private plot: uPlot | undefined;
  private series: LossSeries = buildLossSeries(undefined);
  private run: RunView | undefined;
  private logScale = false;
  private readonly resizeObserver: ResizeObserver;
  private readonly themeWatch: { dispose(): void };

  constructor(private readonly options: LossChartOptions = {}) {
    this.plotHost = el('div', { className: 'ae-chart-plot' });
    // The figure is named by its caption: a sentence with the epochs and the latest losses, for
    // screen readers (the canvas itself says nothing; uPlot's legend table stays readable).
    this.summary = el('figcaption', { className: 'ae-visually-hidden' });
    this.element = el('figure', { className: options.compact ? 'ae-chart ae-chart-compact' : 'ae-chart' }, [this.plotHost, this.summary]);
    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(this.plotHost);
    // Colours are read when the chart is made, so a theme change remakes it.
    this.themeWatch = onThemeChange(() => this.rebuild());
  }

  /** Shows this run's losses; cheap when nothing the chart draws has changed. */
  update(run: RunView | undefined): void {
    if (
      this.run &&
      run &&
      this.run.epochs === run.epochs &&
      this.run.batchSteps === run.batchSteps &&
      this.run.progress?.batches === run.progress?.batches
    ) {
      this.run = run;
      return;
    }
    this.run = run;
    this.series = buildLossSeries(run);
    this.describe();
    if (!this.plot) this.create();
    else this.plot.setData(this.data());
  }

  setLogScale(on: boolean): void {
    if (on === this.logScale) return;
    this.logScale = on;
    this.rebuild();
  }

  dispose(): void {
    this.resizeObserver.disconnect();
    this.themeWatch.dispose();
    this.plot?.destroy();
    this.plot = undefined;
  }

  private data(): uPlot.AlignedData {
    const { x, batch, train, val } = this.series;
    return [x, batch, train, val] as uPlot.AlignedData;
  }

  private describe(): void {
    const { counts, train, val } = this.series;
    this.element.dataset.trainPoints = String(counts.train);
    this.element.dataset.valPoints = String(counts.val);
    this.element.dataset.batchPoints = String(counts.batch);
    const last = (values: Array<number | null>) => [...values].reverse().find((v): v is number => v !== null);
    this.summary.textContent =
      counts.train + counts.batch === 0
        ? t('chart.empty')
        : t('chart.summary', counts.train, formatValue(last(train)), formatValue(last(val)));
  }

  private rebuild(): void {
    this.plot?.destroy();
    this.plot = undefined;
    this.create();
  }

  private size(): { width: number; height: number } {
    const height = this.options.height ?? (this.options.compact ? 64 : 240);
    return { width: Math.max(0, Math.floor(this.plotHost.clientWidth)), height };
  }

  private resize(): void {
    const size = this.size();
    if (size.width === 0) return;
    if (!this.plot) this.create();
    else this.plot.setSize(size);
  }

  private create(): void {
    const size = this.size();
    // uPlot needs a laid-out width; the resize observer calls back once there is one.
    if (size.width === 0) return;
    const foreground = themeColor('--vscode-foreground', '#cccccc');
    const grid = themeColor('--vscode-charts-lines', 'rgba(128, 128, 128, 0.3)');
    const trainColor = themeColor('--vscode-charts-blue', '#3794ff');
    const valColor = themeColor('--vscode-charts-orange', '#d18616');
    const font = `11px ${getComputedStyle(document.body).fontFamily || 'sans-serif'}`;
    const compact = this.options.compact === true;
    const axis = (label: string): uPlot.Axis => ({
      show: !compact,
      stroke: foreground,
      font,
      labelFont: font,
      label,
      labelSize: 18,
      size: 48,
      // Dashed: VS Code's chart line colour is half the foreground, too heavy as solid grid lines.
      grid: { stroke: grid, width: 1, dash: [2, 4] },
      ticks: { stroke: grid, width: 1 },
    });
    const points = (color: string): uPlot.Series.Points => ({ show: true, size: compact ? 5 : 8, width: 1.5, stroke: color, fill: color });
    // At rest (no cursor on the chart) the legend shows the latest values instead of dashes.
    const showLatest = (u: uPlot) => {
      if (u.cursor.idx === null || u.cursor.idx === undefined) {
        const last = u.data[0].length - 1;
        if (last >= 0) u.setLegend({ idx: last }, false);
      }
    };
    const options: uPlot.Options = {
      ...size,
      hooks: compact ? {} : { setCursor: [showLatest], setData: [showLatest], ready: [showLatest] },
      legend: { show: !compact, live: true },
      cursor: compact ? { show: false } : { points: { size: 8 }, drag: { x: false, y: false } },
      scales: {
        x: { time: false },
        y: this.logScale ? { distr: 3 } : { distr: 1 },
      },
      axes: [{ ...axis(t('chart.x')), values: (_u, ticks) => ticks.map((v) => formatValue(v)) }, { ...axis(t('chart.title')), values: (_u, ticks) => ticks.map((v) => formatValue(v)) }],
      series: [
        { label: t('chart.x'), value: (_u, v) => formatValue(v) },
        {
          label: t('chart.batchLoss'),
          stroke: trainColor,
          width: 1.25,
          spanGaps: true,
          points: { show: false },
          value: (_u, v) => formatValue(v),
        },
        { label: t('chart.trainLoss'), stroke: trainColor, width: 0, paths: () => null, points: points(trainColor), value: (_u, v) => formatValue(v) },
        { label: t('chart.valLoss'), stroke: valColor, width: 0, paths: () => null, points: points(valColor), value: (_u, v) => formatValue(v) },
      ],
    };
    this.plot = new uPlot(options, this.data(), this.plotHost);
    this.element.dataset.scale = this.logScale ? 'log' : 'linear';
  }
}
