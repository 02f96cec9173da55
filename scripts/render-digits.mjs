// Renders handwriting-like digits 0-9: each digit is a few strokes in a unit box, drawn with a
// random slant, rotation, scale, shift, stroke width and jittered control points, anti-aliased by
// distance to the strokes. Sparse stroke images like these are where an MSE-trained conv network
// collapses to a constant output, so they are part of the samples and of the quality bench.
// Seeded: the same seed gives the same pixels.
import { mulberry32 } from '../src/data/random.ts';

const arc = (cx, cy, rx, ry, from, to, steps = 14) =>
  Array.from({ length: steps + 1 }, (_, i) => {
    const a = ((from + ((to - from) * i) / steps) * Math.PI) / 180;
    return [cx + rx * Math.cos(a), cy - ry * Math.sin(a)];
  });

/** Strokes (polylines) per digit, x right and y down in [0, 1]. */
const DIGITS = [
  [arc(0.5, 0.5, 0.28, 0.4, 0, 360, 24)],
  [[[0.35, 0.25], [0.55, 0.1], [0.55, 0.9]]],
  [[...arc(0.5, 0.33, 0.26, 0.23, 160, -30), [0.22, 0.9], [0.8, 0.9]]],
  [arc(0.48, 0.3, 0.24, 0.2, 150, -90), arc(0.48, 0.7, 0.28, 0.2, 90, -150)],
  [[[0.6, 0.9], [0.6, 0.1], [0.2, 0.65], [0.82, 0.65]]],
  [[[0.75, 0.1], [0.3, 0.1], [0.27, 0.45], ...arc(0.48, 0.65, 0.28, 0.25, 130, -150)]],
  [[[0.68, 0.1], ...arc(0.5, 0.68, 0.25, 0.22, 140, -220, 22)]],
  [[[0.2, 0.1], [0.8, 0.1], [0.42, 0.9]]],
  [arc(0.5, 0.3, 0.22, 0.2, 0, 360, 20), arc(0.5, 0.7, 0.27, 0.21, 0, 360, 20)],
  [[...arc(0.5, 0.32, 0.25, 0.22, 0, 360, 20), [0.75, 0.32], [0.68, 0.9]]],
];

function distanceToSegment(px, py, [ax, ay], [bx, by]) {
  const dx = bx - ax;
  const dy = by - ay;
  const length2 = dx * dx + dy * dy;
  const t = length2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / length2));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/** One digit as size×size grey uint8 pixels (white strokes on black, as MNIST). */
export function renderDigit(digit, size, random) {
  const uniform = (low, high) => low + (high - low) * random();
  const angle = uniform(-0.2, 0.2);
  const shear = uniform(-0.3, 0.3);
  const scale = uniform(0.72, 0.92) * size;
  const width = uniform(0.055, 0.1) * size;
  const shiftX = uniform(-0.06, 0.06) * size + size / 2;
  const shiftY = uniform(-0.06, 0.06) * size + size / 2;
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const strokes = DIGITS[digit].map((stroke) => {
    const jitter = 0.03;
    return stroke.map(([x, y]) => {
      const u = x - 0.5 + uniform(-jitter, jitter) - shear * (y - 0.5);
      const v = y - 0.5 + uniform(-jitter, jitter);
      return [shiftX + scale * (cos * u - sin * v), shiftY + scale * (sin * u + cos * v)];
    });
  });
  const pixels = new Uint8Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let nearest = Infinity;
      for (const stroke of strokes) {
        for (let i = 1; i < stroke.length; i++) nearest = Math.min(nearest, distanceToSegment(x + 0.5, y + 0.5, stroke[i - 1], stroke[i]));
      }
      // Full intensity inside the stroke, a one-pixel linear edge outside it.
      const value = Math.max(0, Math.min(1, width / 2 + 0.5 - nearest));
      pixels[y * size + x] = Math.round(255 * value);
    }
  }
  return pixels;
}

/** `perDigit` images of each digit, in digit order: { digit, pixels }[]. */
export function renderDigits({ perDigit, size, seed }) {
  const random = mulberry32(seed);
  const images = [];
  for (let digit = 0; digit < 10; digit++) {
    for (let i = 0; i < perDigit; i++) images.push({ digit, pixels: renderDigit(digit, size, random) });
  }
  return images;
}
