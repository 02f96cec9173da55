import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { createArrayDataset } from '../array-dataset';
import { DatasetError, type Dataset } from '../dataset';
import type { DatasetRef } from '../../protocol/trainer-protocol';
import { errorMessage, readDataFile, readFilePrefix, statFile } from './file-bytes';

/**
 * A folder of PNG and JPEG images. Images directly in the folder are unlabelled; images in
 * sub-folders take the sub-folder's name as their class. All images are brought to one size
 * (the ref's imageSize, else the first image's size) and held as uint8, [h, w, 1] when every image
 * is grey, else [h, w, 3]. Transparent pixels are composited over black (the MNIST background).
 */

const IMAGE_EXTENSIONS = /\.(png|jpe?g)$/i;
/** Refuse images whose header claims more pixels than this, before decoding allocates them. */
const MAX_IMAGE_PIXELS = 40_000_000;
/** Images directly in a folder that also has class sub-folders get this class. */
export const UNSORTED_CLASS = '(unsorted)';

export function isImageFileName(name: string): boolean {
  return IMAGE_EXTENSIONS.test(name) && !name.startsWith('.');
}

export interface ImageFolderListing {
  /** Sub-folder class names, sorted; undefined when the images sit directly in the folder. */
  classNames?: string[];
  files: { file: string; classIndex: number }[];
}

async function imageFilesIn(folder: string): Promise<string[]> {
  const entries = await fs.readdir(folder, { withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && isImageFileName(e.name))
    .map((e) => e.name)
    .sort()
    .map((name) => path.join(folder, name));
}

/** Lists the images and classes of a folder (one level of class sub-folders). */
export async function listImageFolder(folder: string): Promise<ImageFolderListing> {
  const stat = await statFile(folder);
  if (!stat.isDirectory()) throw new DatasetError(folder, 'is not a folder');
  let entries;
  try {
    entries = await fs.readdir(folder, { withFileTypes: true });
  } catch (error) {
    throw new DatasetError(folder, `cannot be listed (${errorMessage(error)})`);
  }
  const direct = await imageFilesIn(folder);
  const classes: { name: string; files: string[] }[] = [];
  for (const entry of entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).sort((a, b) => a.name.localeCompare(b.name))) {
    const files = await imageFilesIn(path.join(folder, entry.name));
    if (files.length > 0) classes.push({ name: entry.name, files });
  }
  if (classes.length === 0) return { files: direct.map((file) => ({ file, classIndex: 0 })) };
  if (direct.length > 0) classes.push({ name: UNSORTED_CLASS, files: direct });
  return {
    classNames: classes.map((c) => c.name),
    files: classes.flatMap((c, classIndex) => c.files.map((file) => ({ file, classIndex }))),
  };
}

/** Width and height from the file header only (PNG IHDR, JPEG SOF), for discovery and size checks. */
export function imageSizeFromHeader(bytes: Uint8Array): { width: number; height: number } | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length >= 24 && view.getUint32(0) === 0x89504e47 && view.getUint32(12) === 0x49484452) {
    return { width: view.getUint32(16), height: view.getUint32(20) };
  }
  if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8) {
    let p = 2;
    while (p + 9 < bytes.length) {
      if (bytes[p] !== 0xff) return undefined;
      const marker = bytes[p + 1];
      const length = view.getUint16(p + 2);
      // SOF0..SOF15 except DHT (C4), JPG (C8), DAC (CC) carry the frame size.
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return { height: view.getUint16(p + 5), width: view.getUint16(p + 7) };
      }
      p += 2 + length;
    }
  }
  return undefined;
}

export async function peekImageSize(file: string): Promise<{ width: number; height: number } | undefined> {
  return imageSizeFromHeader(await readFilePrefix(file, 64 * 1024));
}

interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array;
}

export function decodeImage(file: string, bytes: Uint8Array): RgbaImage {
  const size = imageSizeFromHeader(bytes);
  if (size && size.width * size.height > MAX_IMAGE_PIXELS) {
    throw new DatasetError(file, `claims ${size.width} × ${size.height} pixels, more than the ${MAX_IMAGE_PIXELS.toLocaleString('en-US')} this reader decodes`);
  }
  const isPng = bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50;
  try {
    if (isPng) {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return { width: png.width, height: png.height, data: png.data };
    }
    if (bytes[0] === 0xff && bytes[1] === 0xd8) {
      const image = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_IMAGE_PIXELS / 1e6, maxMemoryUsageInMB: 1024 });
      return { width: image.width, height: image.height, data: image.data };
    }
  } catch (error) {
    // pngjs reports a cut-off file as a stream error; the missing end chunk says it plainly.
    if (isPng && Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).lastIndexOf('IEND') < 0) {
      throw new DatasetError(file, 'cannot be decoded as PNG: the file is truncated (no IEND chunk)');
    }
    throw new DatasetError(file, `cannot be decoded as ${isPng ? 'PNG' : 'JPEG'} (${errorMessage(error)})`);
  }
  throw new DatasetError(file, 'is neither a PNG nor a JPEG image (unknown signature)');
}

/**
 * Resizes RGBA to RGB at the target size, compositing alpha over black. Bilinear (pixel centres
 * aligned) when enlarging or shrinking by less than 2×: smooth where nearest-neighbour would give
 * blocky, shifted edges. When shrinking by 2× or more a box average over each output pixel's
 * footprint instead, because bilinear would read only 4 source pixels and alias.
 */
export function resizeToRgb(image: RgbaImage, width: number, height: number): Uint8Array {
  const { width: sw, height: sh, data } = image;
  const out = new Uint8Array(width * height * 3);
  const px = (x: number, y: number, c: number): number => {
    const i = (y * sw + x) * 4;
    return (data[i + c] * data[i + 3]) / 255;
  };
  if (sw === width && sh === height) {
    for (let i = 0, n = width * height; i < n; i++) {
      const a = data[i * 4 + 3];
      for (let c = 0; c < 3; c++) out[i * 3 + c] = a === 255 ? data[i * 4 + c] : Math.round((data[i * 4 + c] * a) / 255);
    }
    return out;
  }
  const scaleX = sw / width;
  const scaleY = sh / height;
  if (scaleX >= 2 || scaleY >= 2) {
    for (let y = 0; y < height; y++) {
      const y0 = Math.floor(y * scaleY);
      const y1 = Math.max(y0 + 1, Math.floor((y + 1) * scaleY));
      for (let x = 0; x < width; x++) {
        const x0 = Math.floor(x * scaleX);
        const x1 = Math.max(x0 + 1, Math.floor((x + 1) * scaleX));
        for (let c = 0; c < 3; c++) {
          let sum = 0;
          for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) sum += px(xx, yy, c);
          out[(y * width + x) * 3 + c] = Math.round(sum / ((y1 - y0) * (x1 - x0)));
        }
      }
    }
    return out;
  }
  for (let y = 0; y < height; y++) {
    const fy = Math.min(Math.max((y + 0.5) * scaleY - 0.5, 0), sh - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, sh - 1);
    const wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(Math.max((x + 0.5) * scaleX - 0.5, 0), sw - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, sw - 1);
      const wx = fx - x0;
      for (let c = 0; c < 3; c++) {
        const top = px(x0, y0, c) * (1 - wx) + px(x1, y0, c) * wx;
        const bottom = px(x0, y1, c) * (1 - wx) + px(x1, y1, c) * wx;
        out[(y * width + x) * 3 + c] = Math.round(top * (1 - wy) + bottom * wy);
      }
    }
  }
  return out;
}

function isGrey(rgb: Uint8Array): boolean {
  for (let i = 0; i < rgb.length; i += 3) if (rgb[i] !== rgb[i + 1] || rgb[i] !== rgb[i + 2]) return false;
  return true;
}

/** With a limit, take files round-robin over the classes so a preview shows every class. */
function pickFiles(listing: ImageFolderListing, limit: number | undefined): ImageFolderListing['files'] {
  if (limit === undefined || limit >= listing.files.length) return listing.files;
  const byClass = new Map<number, ImageFolderListing['files']>();
  for (const f of listing.files) byClass.set(f.classIndex, [...(byClass.get(f.classIndex) ?? []), f]);
  const queues = [...byClass.values()];
  const picked: ImageFolderListing['files'] = [];
  for (let round = 0; picked.length < limit; round++) {
    for (const queue of queues) if (round < queue.length && picked.length < limit) picked.push(queue[round]);
  }
  return picked.sort((a, b) => a.classIndex - b.classIndex || a.file.localeCompare(b.file));
}

export async function readImageFolderDataset(ref: DatasetRef): Promise<Dataset> {
  const folder = ref.path;
  const listing = await listImageFolder(folder);
  if (listing.files.length === 0) throw new DatasetError(folder, 'holds no PNG or JPEG images (directly or in class sub-folders)');
  const files = pickFiles(listing, ref.limit);

  let width = ref.imageSize ?? 0;
  let height = ref.imageSize ?? 0;
  const rgbImages: Uint8Array[] = [];
  let anyColour = false;
  for (const { file } of files) {
    const image = decodeImage(file, await readDataFile(file, 256 * 1024 * 1024));
    if (width === 0) {
      width = image.width;
      height = image.height;
    }
    const rgb = resizeToRgb(image, width, height);
    if (!anyColour && !isGrey(rgb)) anyColour = true;
    rgbImages.push(rgb);
  }
  const channels = anyColour ? 3 : 1;
  const pixels = width * height;
  const data = new Uint8Array(files.length * pixels * channels);
  rgbImages.forEach((rgb, i) => {
    if (channels === 3) data.set(rgb, i * pixels * 3);
    else for (let p = 0; p < pixels; p++) data[i * pixels + p] = rgb[p * 3];
  });

  return createArrayDataset({
    source: folder,
    name: path.basename(folder),
    format: 'image-folder',
    kind: 'image',
    data,
    count: files.length,
    sampleShape: [height, width, channels],
    inputShape: [height, width, channels],
    labels: listing.classNames ? Int32Array.from(files, (f) => f.classIndex) : undefined,
    classNames: listing.classNames,
  });
}
