/** What the lab shows: a dataset, and a run of it (the live one, or a finished one from disk). */
export interface LabTarget {
  datasetPath?: string;
  runDir?: string;
}

/**
 * The target saved by a lab webview before a window reload: `{datasetPath, runDir}`, or its whole
 * LabState (`dataset.summary.path`, `run.runDir`). Anything else is no target.
 */
export function targetFromSavedState(saved: unknown): LabTarget | undefined {
  if (typeof saved !== 'object' || saved === null) return undefined;
  const record = saved as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === 'string' && value ? value : undefined);
  const field = (value: unknown, key: string) => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined);
  const datasetPath = text(record.datasetPath) ?? text(field(field(record.dataset, 'summary'), 'path'));
  const runDir = text(record.runDir) ?? text(field(record.run, 'runDir'));
  return datasetPath || runDir ? { datasetPath, runDir } : undefined;
}
