/**
 * A drawn digit made to look like MNIST's: MNIST centred each digit's
 * bounding box, scaled so its longer side is 20 pixels, in a 28×28 image,
 * with the centre of mass at the centre.
 */
import { resizeBilinear } from '@convkit/data/browser';

/** Grayscale ink 0–255 (row-major, `height × width`) → a 28×28 MNIST-style digit, or `undefined` when blank. */
export function toMnist(ink: ArrayLike<number>, width: number, height: number): Float32Array | undefined {
  let top = height;
  let bottom = -1;
  let left = width;
  let right = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if ((ink[y * width + x] as number) > 16) {
        top = Math.min(top, y);
        bottom = Math.max(bottom, y);
        left = Math.min(left, x);
        right = Math.max(right, x);
      }
    }
  }
  if (bottom < 0) return undefined;
  // A square crop around the bounding box keeps the digit's aspect ratio.
  const side = Math.max(bottom - top + 1, right - left + 1);
  const cy = (top + bottom) / 2;
  const cx = (left + right) / 2;
  const crop = new Float32Array(side * side);
  const y0 = Math.round(cy - side / 2);
  const x0 = Math.round(cx - side / 2);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const sy = y0 + y;
      const sx = x0 + x;
      crop[y * side + x] = sy >= 0 && sy < height && sx >= 0 && sx < width ? (ink[sy * width + sx] as number) : 0;
    }
  }
  const small = resizeBilinear(crop, side, side, 1, 20, 20, { antialias: true });
  // Centre of mass of the 20×20 digit → where it goes in 28×28.
  let mass = 0;
  let my = 0;
  let mx = 0;
  for (let y = 0; y < 20; y++) {
    for (let x = 0; x < 20; x++) {
      const v = small[y * 20 + x] as number;
      mass += v;
      my += v * y;
      mx += v * x;
    }
  }
  const offY = Math.round(14 - (mass ? my / mass : 9.5) - 0.5);
  const offX = Math.round(14 - (mass ? mx / mass : 9.5) - 0.5);
  const out = new Float32Array(28 * 28);
  for (let y = 0; y < 20; y++) {
    for (let x = 0; x < 20; x++) {
      const ty = y + offY;
      const tx = x + offX;
      if (ty >= 0 && ty < 28 && tx >= 0 && tx < 28)
        out[ty * 28 + tx] = Math.min(255, Math.max(0, small[y * 20 + x] as number));
    }
  }
  return out;
}

/** Softmax of logits, as probabilities. */
export function softmax(logits: ArrayLike<number>): number[] {
  const values = Array.from(logits);
  const max = Math.max(...values);
  const exps = values.map((v) => Math.exp(v - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}
