import { DatasetError, type Dataset } from './dataset';
import type { ImageBatch } from '../protocol/trainer-protocol';

export interface ImagePixels {
  count: number;
  height: number;
  width: number;
  channels: 1 | 3;
  /** count × height × width × channels display values, 0..255. */
  pixels: Uint8Array;
}

/** The height, width and channels of an image dataset's samples ([h, w] counts as one channel). */
export function imageGeometry(ds: Dataset): { height: number; width: number; channels: 1 | 3 } {
  const [height, width, channels = 1] = ds.inputShape;
  if (ds.kind !== 'image' || height === undefined || width === undefined || (channels !== 1 && channels !== 3)) {
    throw new DatasetError(ds.source, `is ${ds.kind} data of shape [${ds.inputShape.join(', ')}], not images; there is nothing to preview as pixels`);
  }
  return { height, width, channels };
}

/** Display pixels of the given samples: uint8 data as stored, other types mapped through the dataset's [0, 1] scaling. */
export function previewImages(ds: Dataset, indices: ArrayLike<number>): ImagePixels {
  const { height, width, channels } = imageGeometry(ds);
  const size = height * width * channels;
  const pixels = new Uint8Array(indices.length * size);
  if (ds.dtype === 'uint8' && ds.scaling.kind === 'unit' && ds.scaling.min === 0 && ds.scaling.max === 255) {
    for (let k = 0; k < indices.length; k++) pixels.set(ds.sample(indices[k]), k * size);
  } else {
    const scaled = new Float32Array(indices.length * size);
    ds.fillBatch(indices, scaled);
    scaledToPixels(scaled, pixels);
  }
  return { count: indices.length, height, width, channels, pixels };
}

/** Training values in [0, 1] (e.g. a model's reconstructions) to display pixels, clamped. */
export function scaledToPixels(values: ArrayLike<number>, out = new Uint8Array(values.length)): Uint8Array {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out[i] = v > 0 ? (v < 1 ? Math.round(v * 255) : 255) : 0;
  }
  return out;
}

/** The protocol's compact image batch (uint8 pixels as base64). */
export function toImageBatch(images: ImagePixels): ImageBatch {
  return {
    count: images.count,
    height: images.height,
    width: images.width,
    channels: images.channels,
    pixels: Buffer.from(images.pixels.buffer, images.pixels.byteOffset, images.pixels.byteLength).toString('base64'),
  };
}

