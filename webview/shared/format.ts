// Number and time formatting shared by every view (locale-aware, compact).

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });

export function formatInteger(value: number): string {
  return integer.format(value);
}

/** A loss or statistic: 4 significant digits, exponent for tiny or huge values. */
export function formatValue(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e6)) return value.toExponential(2);
  return Number(value.toPrecision(4)).toString();
}

/** Seconds as `1 h 02 min`, `3 min 05 s` or `12 s`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  if (h > 0) return `${h} h ${String(m).padStart(2, '0')} min`;
  if (m > 0) return `${m} min ${String(rest).padStart(2, '0')} s`;
  return `${rest} s`;
}

/** A tensor shape such as [null, 28, 28, 1] as `28 × 28 × 1` (the batch dimension dropped). */
export function formatShape(shape: ReadonlyArray<number | null>): string {
  const dims = shape.length > 0 && shape[0] === null ? shape.slice(1) : shape;
  if (dims.length === 0) return '—';
  return dims.map((d) => (d === null ? '?' : String(d))).join(' × ');
}
