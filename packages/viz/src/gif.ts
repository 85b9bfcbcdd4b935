/// <reference path="./gifenc.d.ts" />
import { ConfigError } from '@convkit/layers';
import * as gifenc from 'gifenc';
import type { RgbaImage } from './image.js';

// gifenc's CommonJS build (what Node loads) exposes its functions on the
// default export only; its ESM build (what browser bundlers load) as named exports.
const lib: typeof gifenc.default = typeof gifenc.GIFEncoder === 'function' ? gifenc : gifenc.default;

/** Options of {@link encodeGif}. */
export interface GifOptions {
  /** Milliseconds per frame (GIF stores hundredths). Default 500. */
  delay?: number;
  /** 0 loops forever (default), -1 plays once, n repeats n more times. */
  repeat?: number;
}

const GRAYS = Array.from({ length: 256 }, (_, v) => [v, v, v]);

function isOpaqueGray(data: Uint8ClampedArray): boolean {
  for (let i = 0; i < data.length; i += 4) {
    if (data[i] !== data[i + 1] || data[i] !== data[i + 2] || data[i + 3] !== 255) return false;
  }
  return true;
}

/**
 * Frames (all the same size) as an animated GIF. Opaque grayscale frames
 * are stored exactly (a 256-gray palette); colour frames are quantized to
 * 256 colours each (gifenc's PnnQuant).
 *
 * @example
 * ```ts
 * const bytes = encodeGif(evolution.frames(), { delay: 300 });
 * ```
 */
export function encodeGif(frames: readonly RgbaImage[], options: GifOptions = {}): Uint8Array {
  const first = frames[0];
  if (!first) throw new ConfigError('encodeGif', 'needs at least one frame, received none');
  const odd = frames.findIndex((f) => f.width !== first.width || f.height !== first.height);
  if (odd >= 0) {
    const f = frames[odd] as RgbaImage;
    throw new ConfigError(
      'encodeGif',
      `every frame must be ${first.width}×${first.height} like frame 0, frame ${odd} is ${f.width}×${f.height}`,
    );
  }
  const encoder = lib.GIFEncoder();
  frames.forEach((frame, i) => {
    let palette: number[][];
    let index: Uint8Array;
    if (isOpaqueGray(frame.data)) {
      palette = GRAYS;
      index = new Uint8Array(frame.width * frame.height);
      for (let p = 0; p < index.length; p++) index[p] = frame.data[4 * p] as number;
    } else {
      palette = lib.quantize(frame.data, 256);
      index = lib.applyPalette(frame.data, palette);
    }
    encoder.writeFrame(index, frame.width, frame.height, {
      palette,
      delay: options.delay ?? 500,
      ...(i === 0 ? { repeat: options.repeat ?? 0 } : {}),
    });
  });
  encoder.finish();
  return encoder.bytes();
}
