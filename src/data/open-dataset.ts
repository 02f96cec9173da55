import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { DatasetError, type Dataset, type DatasetFormat } from './dataset';
import type { DatasetRef } from '../protocol/trainer-protocol';
import { errorMessage, statFile } from './readers/file-bytes';
import { readCsvDataset } from './readers/csv';
import { isIdxFileName, readIdxDataset } from './readers/idx';
import { isImageFileName, listImageFolder, readImageFolderDataset } from './readers/image-folder';
import { readNpyDataset } from './readers/npy';
import { readNpzDataset } from './readers/npz';
import { readTextDataset } from './readers/text';

/** The format a path is read as, from its name (a folder is an image folder); undefined when unknown. */
export function formatFromFileName(file: string): Exclude<DatasetFormat, 'image-folder'> | undefined {
  const name = path.basename(file).toLowerCase();
  if (isIdxFileName(name)) return 'idx';
  if (name.endsWith('.npy')) return 'npy';
  if (name.endsWith('.npz')) return 'npz';
  if (name.endsWith('.csv') || name.endsWith('.tsv')) return 'csv';
  if (name.endsWith('.txt')) return 'text';
  return undefined;
}

const READERS: Record<DatasetFormat, (ref: DatasetRef) => Promise<Dataset>> = {
  idx: readIdxDataset,
  npy: readNpyDataset,
  npz: readNpzDataset,
  csv: readCsvDataset,
  'image-folder': readImageFolderDataset,
  text: readTextDataset,
};

/** A folder without images that holds dataset files (e.g. the IDX files of fashion-mnist/) gets pointed at them. */
async function checkFolderHoldsImages(folder: string): Promise<void> {
  const listing = await listImageFolder(folder);
  if (listing.files.length > 0) return;
  const datasetFiles = (await fs.readdir(folder)).filter((name) => formatFromFileName(name) !== undefined && !/labels/i.test(name)).sort();
  if (datasetFiles.length > 0) {
    const shown = datasetFiles.slice(0, 5).join(', ') + (datasetFiles.length > 5 ? ', …' : '');
    throw new DatasetError(folder, `holds no PNG or JPEG images; to train on one of its dataset files, open the file: ${shown}`);
  }
}

/**
 * Opens a dataset file or folder, the format detected from the path. Every failure is a
 * DatasetError naming the file and the problem, also unexpected ones (permissions, bugs).
 */
export async function openDataset(ref: DatasetRef): Promise<Dataset> {
  const file = path.resolve(ref.path);
  const resolved: DatasetRef = { ...ref, path: file };
  try {
    const stat = await statFile(file);
    let format: DatasetFormat | undefined;
    if (stat.isDirectory()) {
      await checkFolderHoldsImages(file);
      format = 'image-folder';
    }
    else format = formatFromFileName(file);
    if (!format) {
      if (isImageFileName(file)) throw new DatasetError(file, 'is a single image; open the folder that holds the images instead');
      throw new DatasetError(
        file,
        'has an unknown dataset format; expected IDX (*-idx3-ubyte[.gz], *.idx), .npy, .npz, .csv, .tsv, .txt or a folder of PNG/JPEG images',
      );
    }
    return await READERS[format](resolved);
  } catch (error) {
    if (error instanceof DatasetError) throw error;
    throw new DatasetError(file, `cannot be read: ${errorMessage(error)}`);
  }
}
