import type { ImageBatch } from '../../src/protocol/trainer-protocol';
import { el } from './dom';

// Decoded pixels per batch object: a batch is decoded once however often it is drawn.
const decoded = new WeakMap<ImageBatch, Uint8Array>();

export function batchPixels(batch: ImageBatch): Uint8Array {
  let pixels = decoded.get(batch);
  if (!pixels) {
    const binary = atob(batch.pixels);
    pixels = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) pixels[i] = binary.charCodeAt(i);
    decoded.set(batch, pixels);
  }
  return pixels;
}

/**
 * One image of a batch on a <canvas> (uint8 grey or RGB -> RGBA ImageData), with `role="img"` and
 * `label` for screen readers. The canvas has the image's own size; CSS scales it up pixelated.
 */
export function imageCanvas(batch: ImageBatch, index: number, label: string): HTMLCanvasElement {
  const { width, height, channels } = batch;
  // Tabular rows arrive as one-pixel-high strips: drawn wide and low, not stretched to a square.
  const strip = height * 4 <= width;
  const canvas = el('canvas', { className: strip ? 'ae-image ae-image-strip' : 'ae-image', attrs: { role: 'img', 'aria-label': label } });
  canvas.width = width;
  canvas.height = height;
  const pixels = batchPixels(batch);
  const size = width * height;
  const offset = index * size * channels;
  const rgba = new Uint8ClampedArray(size * 4);
  for (let p = 0; p < size; p++) {
    const source = offset + p * channels;
    const grey = pixels[source] ?? 0;
    rgba[p * 4] = grey;
    rgba[p * 4 + 1] = channels === 3 ? (pixels[source + 1] ?? 0) : grey;
    rgba[p * 4 + 2] = channels === 3 ? (pixels[source + 2] ?? 0) : grey;
    rgba[p * 4 + 3] = 255;
  }
  canvas.getContext('2d')?.putImageData(new ImageData(rgba, width, height), 0, 0);
  return canvas;
}

export interface GridItem {
  index: number;
  label: string;
  /** A short visible caption under the image (a class name, an error). */
  caption?: string;
}

/** A wrapping grid of a batch's images, each with an accessible label and an optional caption. */
export function imageGrid(batch: ImageBatch, items: readonly GridItem[], className = 'ae-image-grid'): HTMLElement {
  const list = el('ul', { className, attrs: { role: 'list' } });
  for (const item of items) {
    if (item.index >= batch.count) continue;
    list.append(
      el('li', { className: 'ae-image-item' }, [
        imageCanvas(batch, item.index, item.label),
        item.caption ? el('span', { className: 'ae-image-caption', text: item.caption, attrs: { 'aria-hidden': 'true' } }) : null,
      ]),
    );
  }
  return list;
}
