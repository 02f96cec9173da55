import type { RunView } from '../../src/protocol/lab-protocol';

/**
 * The loss chart's data in uPlot's aligned form: one x array (in epochs, fractional for batches)
 * and one array per series with `null` where a series has no value at that x.
 * Pure and DOM-free so that it is unit tested.
 */
export interface LossSeries {
  x: number[];
  batch: Array<number | null>;
  train: Array<number | null>;
  val: Array<number | null>;
  /** Counts of real (non-null) values per series. */
  counts: { batch: number; train: number; val: number };
}

/**
 * Epoch numbers in messages start at 0 or at 1 depending on the producer; the chart puts the end
 * of the first epoch at x = 1 either way.
 */
export function epochOffset(run: Pick<RunView, 'epochs' | 'reconstructions'>): number {
  const first = Math.min(...run.epochs.map((m) => m.epoch), ...run.reconstructions.map((r) => r.epoch));
  return first === 0 ? 1 : 0;
}

/** Batches per epoch: from the live progress, else estimated from the steps seen per finished epoch. */
export function batchesPerEpoch(run: RunView): number {
  if (run.progress && run.progress.batches > 0) return run.progress.batches;
  const lastStep = run.batchSteps.length > 0 ? run.batchSteps[run.batchSteps.length - 1] : 0;
  if (run.epochs.length > 0 && lastStep > 0) return Math.max(1, Math.round(lastStep / run.epochs.length));
  return 1;
}

export function buildLossSeries(run: RunView | undefined): LossSeries {
  const empty: LossSeries = { x: [], batch: [], train: [], val: [], counts: { batch: 0, train: 0, val: 0 } };
  if (!run) return empty;
  const perEpoch = batchesPerEpoch(run);
  const offset = epochOffset(run);
  // Points keyed by x; a batch step and an epoch end may share one x.
  const rows = new Map<number, { batch: number | null; train: number | null; val: number | null }>();
  const rowAt = (x: number) => {
    const key = Math.round(x * 1e6) / 1e6;
    let row = rows.get(key);
    if (!row) {
      row = { batch: null, train: null, val: null };
      rows.set(key, row);
    }
    return row;
  };
  const counts = { batch: 0, train: 0, val: 0 };
  run.batchSteps.forEach((step, i) => {
    const loss = run.batchLosses[i];
    if (!isPlottable(loss)) return;
    rowAt(step / perEpoch).batch = loss;
    counts.batch += 1;
  });
  for (const metrics of run.epochs) {
    const row = rowAt(metrics.epoch + offset);
    if (isPlottable(metrics.loss)) {
      row.train = metrics.loss;
      counts.train += 1;
    }
    if (isPlottable(metrics.val_loss)) {
      row.val = metrics.val_loss;
      counts.val += 1;
    }
  }
  const xs = [...rows.keys()].sort((a, b) => a - b);
  const series: LossSeries = { ...empty, counts };
  series.x = xs;
  for (const x of xs) {
    const row = rows.get(x)!;
    series.batch.push(row.batch);
    series.train.push(row.train);
    series.val.push(row.val);
  }
  return series;
}

function isPlottable(value: number | null | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
