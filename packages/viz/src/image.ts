import { ConfigError } from '@convkit/layers';

/**
 * An image as 8-bit RGBA pixels, row-major from the top-left corner:
 * pixel `(x, y)` is `data[4 * (y * width + x) + 0..3]`. The same layout as
 * the browser's `ImageData`, so it goes to a canvas without conversion.
 */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

/** A colour as `[red, green, blue, alpha]`, each 0–255. */
export type Rgba = readonly [number, number, number, number];

/** White, the default background of grids. */
export const WHITE: Rgba = [255, 255, 255, 255];

/**
 * A new image filled with one colour.
 *
 * @example
 * ```ts
 * const black = createImage(2, 1, [0, 0, 0, 255]);
 * black.data; // Uint8ClampedArray [0, 0, 0, 255, 0, 0, 0, 255]
 * ```
 */
export function createImage(width: number, height: number, fill: Rgba = WHITE): RgbaImage {
  for (const [name, value] of [
    ['width', width],
    ['height', height],
  ] as const) {
    if (!Number.isInteger(value) || value < 0) {
      throw new ConfigError('createImage', `${name} must be a non-negative integer, received ${value}`);
    }
  }
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < data.length; i += 4) data.set(fill, i);
  return { width, height, data };
}

/**
 * Copies `source` into `target` with its top-left corner at `(x, y)`, each
 * source pixel drawn as a `scale × scale` square (nearest neighbour, so
 * pixels stay exact). Parts outside `target` are cut off.
 *
 * @example
 * ```ts
 * const canvas = createImage(10, 10);
 * drawImage(canvas, tile, 2, 2, 4); // a 2×2 tile becomes an 8×8 block
 * ```
 */
export function drawImage(target: RgbaImage, source: RgbaImage, x: number, y: number, scale = 1): void {
  if (!Number.isInteger(scale) || scale < 1) {
    throw new ConfigError('drawImage', `scale must be a positive integer, received ${scale}`);
  }
  for (let sy = 0; sy < source.height; sy++) {
    for (let sx = 0; sx < source.width; sx++) {
      const from = 4 * (sy * source.width + sx);
      const pixel = source.data.subarray(from, from + 4);
      for (let dy = 0; dy < scale; dy++) {
        const ty = y + sy * scale + dy;
        if (ty < 0 || ty >= target.height) continue;
        for (let dx = 0; dx < scale; dx++) {
          const tx = x + sx * scale + dx;
          if (tx < 0 || tx >= target.width) continue;
          target.data.set(pixel, 4 * (ty * target.width + tx));
        }
      }
    }
  }
}

/**
 * The image scaled up by an integer factor, nearest neighbour.
 *
 * @example
 * ```ts
 * upscale(createImage(2, 2), 3).width; // 6
 * ```
 */
export function upscale(image: RgbaImage, scale: number): RgbaImage {
  if (scale === 1) return image;
  const out = createImage(image.width * scale, image.height * scale);
  drawImage(out, image, 0, 0, scale);
  return out;
}

/**
 * The pixel at `(x, y)` as `[r, g, b, a]`.
 *
 * @example
 * ```ts
 * pixelAt(createImage(1, 1), 0, 0); // [255, 255, 255, 255]
 * ```
 */
export function pixelAt(image: RgbaImage, x: number, y: number): [number, number, number, number] {
  const i = 4 * (y * image.width + x);
  const d = image.data;
  return [d[i] ?? 0, d[i + 1] ?? 0, d[i + 2] ?? 0, d[i + 3] ?? 0];
}

/**
 * The image as a browser `ImageData`, ready for `ctx.putImageData(…)`
 * (shares the pixel buffer). Needs `ImageData`, which browsers and workers
 * have; in Node, write a PNG with `encodePng` instead.
 *
 * @example
 * ```ts
 * canvas.getContext('2d').putImageData(toImageData((await filterGrid(kernel)).image), 0, 0);
 * ```
 */
export function toImageData(image: RgbaImage): ImageData {
  const Ctor = (globalThis as { ImageData?: typeof ImageData }).ImageData;
  if (!Ctor) {
    throw new ConfigError(
      'toImageData',
      `ImageData is not available here (received a ${image.width}×${image.height} image): use encodePng in Node`,
    );
  }
  return new Ctor(image.data as Uint8ClampedArray<ArrayBuffer>, image.width, image.height);
}
