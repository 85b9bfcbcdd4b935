import { ConfigError } from '@convkit/layers';
import { decode, encode } from 'fast-png';
import type { RgbaImage } from './image.js';

/**
 * The image as PNG file bytes (8-bit RGBA, lossless), in Node and in the
 * browser alike. Write them with `writePng` from `@convkit/viz/node`, or
 * wrap them in a `Blob` in the browser.
 *
 * @example
 * ```ts
 * const bytes = encodePng((await filterGrid(kernel)).image);
 * new Blob([bytes], { type: 'image/png' });
 * ```
 */
export function encodePng(image: RgbaImage): Uint8Array {
  if (image.data.length !== image.width * image.height * 4) {
    throw new ConfigError(
      'encodePng',
      `a ${image.width}×${image.height} RGBA image needs ${image.width * image.height * 4} bytes, received ${image.data.length}`,
    );
  }
  return encode({ width: image.width, height: image.height, data: image.data, depth: 8, channels: 4 });
}

/**
 * PNG bytes as an RGBA image: gray, gray + alpha, RGB and RGBA at 8 or 16
 * bits (16-bit samples keep their high byte); palette images are expanded.
 *
 * @example
 * ```ts
 * decodePng(encodePng(image)).data; // the same pixels
 * ```
 */
export function decodePng(bytes: Uint8Array): RgbaImage {
  const png = decode(bytes);
  const { width, height, channels, depth } = png;
  const n = width * height;
  const out = new Uint8ClampedArray(n * 4);
  if (png.palette) {
    for (let i = 0; i < n; i++) {
      const colour = png.palette[png.data[i] ?? 0] ?? [0, 0, 0];
      out.set([colour[0] ?? 0, colour[1] ?? 0, colour[2] ?? 0, colour[3] ?? 255], 4 * i);
    }
    return { width, height, data: out };
  }
  if (![1, 2, 3, 4].includes(channels) || (depth !== 8 && depth !== 16)) {
    throw new ConfigError('decodePng', `unsupported PNG: ${channels} channels at ${depth} bits`);
  }
  const sample = (i: number) => (depth === 16 ? (png.data[i] ?? 0) >> 8 : (png.data[i] ?? 0));
  for (let i = 0; i < n; i++) {
    const s = i * channels;
    const gray = channels <= 2;
    const r = sample(s);
    out[4 * i] = r;
    out[4 * i + 1] = gray ? r : sample(s + 1);
    out[4 * i + 2] = gray ? r : sample(s + 2);
    out[4 * i + 3] = channels === 2 ? sample(s + 1) : channels === 4 ? sample(s + 3) : 255;
  }
  return { width, height, data: out };
}
