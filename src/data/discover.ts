import { createReadStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { DatasetError, type DatasetFormat, type DatasetKind } from './dataset';
import { formatFromFileName } from './open-dataset';
import { headerOf, LABEL_COLUMN_NAMES, parseDelimited } from './readers/csv';
import { errorMessage, readFilePrefix } from './readers/file-bytes';
import { findLabelsFile, labelsFileCandidates, peekIdxHeader } from './readers/idx';
import { imageSizeFromHeader, isImageFileName, UNSORTED_CLASS } from './readers/image-folder';
import { interpretShape, peekNpyHeader } from './readers/npy';
import { peekNpz } from './readers/npz';

export interface DatasetCandidate {
  /** Absolute path: pass it to openDataset. */
  path: string;
  /** Path relative to the searched folder. */
  name: string;
  format: DatasetFormat;
  kind: DatasetKind;
  /** Number of samples, when the header tells it cheaply (lines are counted for CSV and text). */
  count?: number;
  /** Shape of one sample as stored: [h, w] or [h, w, c] for images, [columns] for tabular data. */
  shape?: number[];
  /** IDX: the paired labels file. */
  labelsPath?: string;
  /** Image folders: class sub-folder names. */
  classNames?: string[];
  /** Set when the file looks like a dataset but its header is broken; the problem, not a stack. */
  error?: string;
}

const SKIPPED_FOLDERS = new Set(['node_modules', '.git', '.autoencoder-lab', 'dist']);
/** Discovery must stay cheap in any workspace: it stops after this many folder entries and this depth. */
const MAX_ENTRIES = 20_000;
const MAX_DEPTH = 8;
/** CSV and text files are line-counted by streaming; bigger ones get no count (discovery stays quick). */
const MAX_COUNTED_BYTES = 64 * 1024 * 1024;

/**
 * Finds the datasets under a folder with header-only peeks: IDX images files (with their labels),
 * .npy/.npz, .csv/.tsv, .txt and image folders (two or more images directly inside, or only
 * sub-folders of images, two or more: the classes). Skips node_modules, dist, .git, .autoencoder-lab and other hidden folders.
 */
export async function discoverDatasets(folder: string): Promise<DatasetCandidate[]> {
  const root = path.resolve(folder);
  const candidates: DatasetCandidate[] = [];
  let entriesSeen = 0;

  const visit = async (dir: string, depth: number): Promise<void> => {
    if (depth > MAX_DEPTH || entriesSeen > MAX_ENTRIES) return;
    let entries;
    try {
      entries = (await fs.readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
    } catch {
      return; // unreadable folder: nothing to offer
    }
    entriesSeen += entries.length;
    const files = entries.filter((e) => e.isFile()).map((e) => e.name);
    const subfolders = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.') && !SKIPPED_FOLDERS.has(e.name)).map((e) => e.name);

    const imageFiles = files.filter(isImageFileName);
    const classFolders: { name: string; images: string[] }[] = [];
    for (const sub of subfolders) {
      const images = await imagesIn(path.join(dir, sub));
      if (images.length > 0) classFolders.push({ name: sub, images });
    }
    // Two loose images make an image folder; so do two or more sub-folders of images when every
    // sub-folder holds images (a project folder with docs/images and media/icons is no dataset).
    // It is counted exactly as openDataset reads it: every class sub-folder, loose images as one more class.
    const allSubfoldersAreClasses = classFolders.length >= 2 && classFolders.length === subfolders.length;
    const isImageFolder = allSubfoldersAreClasses || imageFiles.length >= 2;
    if (isImageFolder) {
      const firstImage = classFolders.length > 0 ? path.join(dir, classFolders[0].name, classFolders[0].images[0]) : path.join(dir, imageFiles[0]);
      const count = classFolders.reduce((n, c) => n + c.images.length, 0) + imageFiles.length;
      const classNames = classFolders.length > 0 ? [...classFolders.map((c) => c.name), ...(imageFiles.length > 0 ? [UNSORTED_CLASS] : [])] : undefined;
      candidates.push({
        ...(await describe(root, dir, 'image-folder', 'image', async () => ({ count, shape: await peekImageShape(firstImage) }))),
        classNames,
      });
    }

    for (const name of files) {
      const file = path.join(dir, name);
      const format = formatFromFileName(name);
      if (format === 'idx') {
        const candidate = await describeIdx(root, file, files);
        if (candidate) candidates.push(candidate);
      } else if (format === 'npy') {
        candidates.push(await describe(root, file, 'npy', 'tabular', async () => shapeOfArray(file, (await peekNpyHeader(file)).shape)));
      } else if (format === 'npz') {
        candidates.push(await describe(root, file, 'npz', 'tabular', async () => shapeOfArray(file, (await peekNpz(file)).header.shape)));
      } else if (format === 'csv') {
        candidates.push(await describe(root, file, 'csv', 'tabular', () => peekCsv(file)));
      } else if (format === 'text') {
        candidates.push(await describe(root, file, 'text', 'text', async () => ({ count: await countNonEmptyLines(file) })));
      }
    }

    for (const sub of subfolders) {
      // The class sub-folders of an image folder belong to it; they are not datasets of their own.
      if (isImageFolder && classFolders.some((c) => c.name === sub)) continue;
      await visit(path.join(dir, sub), depth + 1);
    }
  };

  await visit(root, 0);
  return candidates;
}

interface Peeked {
  count?: number;
  shape?: number[];
  kind?: DatasetKind;
  labelsPath?: string;
}

async function describe(root: string, file: string, format: DatasetFormat, kind: DatasetKind, peek: () => Promise<Peeked>): Promise<DatasetCandidate> {
  const base: DatasetCandidate = { path: file, name: path.relative(root, file) || path.basename(file), format, kind };
  try {
    const peeked = await peek();
    return { ...base, ...peeked, kind: peeked.kind ?? kind };
  } catch (error) {
    return { ...base, error: error instanceof DatasetError ? error.problem : errorMessage(error) };
  }
}

async function imagesIn(dir: string): Promise<string[]> {
  try {
    return (await fs.readdir(dir, { withFileTypes: true }))
      .filter((e) => e.isFile() && isImageFileName(e.name))
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

function shapeOfArray(file: string, shape: number[]): Peeked {
  const { kind, sampleShape } = interpretShape(file, shape);
  return { count: shape[0], shape: sampleShape, kind };
}

/** Images files only: a labels file is listed through its images file, unpaired labels are not a dataset. */
async function describeIdx(root: string, file: string, siblings: string[]): Promise<DatasetCandidate | undefined> {
  const dir = path.dirname(file);
  const isLabelsOfSibling = siblings.some((s) => labelsFileCandidates(path.join(dir, s)).includes(file));
  if (isLabelsOfSibling) return undefined;
  const candidate = await describe(root, file, 'idx', 'image', async () => {
    const header = await peekIdxHeader(file);
    const [count, ...shape] = header.dims;
    return { count, shape, kind: shape.length >= 2 ? 'image' : 'tabular', labelsPath: await findLabelsFile(file) };
  });
  if (!candidate.error && candidate.shape?.length === 0) return undefined; // an unpaired labels file
  return candidate;
}

/** [h, w, c] of an image from its header: PNG colour type, JPEG component count. */
async function peekImageShape(file: string): Promise<number[] | undefined> {
  const bytes = await readFilePrefix(file, 64 * 1024);
  const size = imageSizeFromHeader(bytes);
  if (!size) throw new DatasetError(file, 'is neither a PNG nor a JPEG image');
  let channels: number | undefined;
  if (bytes[0] === 0x89) channels = bytes[25] === 0 || bytes[25] === 4 ? 1 : bytes[25] === 2 || bytes[25] === 6 ? 3 : undefined;
  return channels ? [size.height, size.width, channels] : [size.height, size.width];
}

async function peekCsv(file: string): Promise<Peeked> {
  const prefix = (await readFilePrefix(file, 64 * 1024)).toString('utf8');
  if (prefix.length === 0) throw new DatasetError(file, 'is empty (zero bytes)');
  // Only whole lines of the prefix are parsed.
  const lastNewline = prefix.lastIndexOf('\n');
  const { records } = parseDelimited(file, lastNewline > 0 ? prefix.slice(0, lastNewline) : prefix);
  const header = headerOf(records);
  const width = records[0]?.record.length ?? 0;
  const hasLabel = header?.some((h) => LABEL_COLUMN_NAMES.includes(h.trim().toLowerCase())) ?? false;
  const lines = await countNonEmptyLines(file);
  return { count: lines === undefined ? undefined : lines - (header ? 1 : 0), shape: [width - (hasLabel ? 1 : 0)] };
}

/** Non-empty lines, counted by streaming the bytes (no parsing, no big string). */
async function countNonEmptyLines(file: string): Promise<number | undefined> {
  const stat = await fs.stat(file);
  if (stat.size === 0) throw new DatasetError(file, 'is empty (zero bytes)');
  if (stat.size > MAX_COUNTED_BYTES) return undefined;
  let count = 0;
  let lineHasContent = false;
  for await (const chunk of createReadStream(file)) {
    const bytes = chunk as Buffer;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      if (b === 0x0a) {
        if (lineHasContent) count++;
        lineHasContent = false;
      } else if (b !== 0x0d) lineHasContent = true;
    }
  }
  return lineHasContent ? count + 1 : count;
}
