import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { Dataset } from '../data/dataset';
import { openDataset } from '../data/open-dataset';
import { computeStats } from '../data/stats';
import type { DatasetRef, DatasetStats } from '../protocol/trainer-protocol';

/**
 * The last dataset the trainer opened, shared by inspect (paging), describe and generate so that
 * they do not read the file again. It is keyed on the request and on the files' modification times
 * and sizes: a dataset changed on disk since (a fixed or replaced file) is read again.
 */

let cached: { key: string; fingerprint: string; dataset: Dataset; stats: DatasetStats } | undefined;

export async function openCachedDataset(ref: DatasetRef): Promise<{ dataset: Dataset; stats: DatasetStats }> {
  const key = JSON.stringify(ref);
  const fingerprint = await fingerprintOf(ref.path);
  if (cached?.key === key && cached.fingerprint === fingerprint) return cached;
  cached = undefined;
  const dataset = await openDataset(ref);
  cached = { key, fingerprint, dataset, stats: computeStats(dataset) };
  return cached;
}

/**
 * Modification time and size of the path, and of its entries for a folder (image folders: the
 * class sub-folders' times change when images are added or removed). A missing path has none:
 * opening it then reports the error.
 */
async function fingerprintOf(path: string): Promise<string> {
  const stat = await fs.stat(path).catch(() => undefined);
  if (!stat) return 'missing';
  const own = `${stat.mtimeMs}:${stat.size}`;
  if (!stat.isDirectory()) return own;
  const entries = await fs.readdir(path).catch(() => [] as string[]);
  const times = await Promise.all(entries.sort().map(async (name) => `${name}@${(await fs.stat(join(path, name)).catch(() => undefined))?.mtimeMs ?? '-'}`));
  return `${own}|${times.join('|')}`;
}
