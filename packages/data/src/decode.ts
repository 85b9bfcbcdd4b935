import { convertIndexedToRgb, type DecodedPng, decode as decodePng } from 'fast-png';
import jpeg from 'jpeg-js';
import { FormatError } from './errors.js';

/** One decoded image: `height × width × channels` bytes, NHWC. */
export interface DecodedImage {
  data: Uint8Array;
  height: number;
  width: number;
  channels: 1 | 3;
}

export interface DecodeImageOptions {
  /** 3 (default): RGB, grey replicated, as torchvision's `convert('RGB')`; 1: grey, colour reduced by PIL's luma. */
  channels?: 1 | 3;
  /** Refuse images whose decoding would need more memory than this (default 512, jpeg-js's own default). */
  maxMemoryUsageInMB?: number;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

const hexBytes = (bytes: Uint8Array): string =>
  Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');

/** Samples of any PNG bit depth as bytes: 16-bit rounded to 8, 1/2/4-bit grey unpacked from its rows and stretched. */
function pngBytes(png: DecodedPng): { data: Uint8Array; channels: number } {
  if (png.palette) {
    const rgb = convertIndexedToRgb(png);
    return { data: rgb, channels: rgb.length / (png.width * png.height) };
  }
  const { data, depth, channels, width, height } = png;
  if (depth === 8) return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), channels };
  const out = new Uint8Array(width * height * channels);
  if (depth === 16) {
    for (let i = 0; i < out.length; i++) out[i] = Math.round((data[i] as number) / 257);
    return { data: out, channels };
  }
  // Sub-byte depths exist only for grey (and palettes, handled above); each row starts on a byte.
  const rowBytes = Math.ceil((width * depth) / 8);
  const max = (1 << depth) - 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const bit = x * depth;
      const byte = data[y * rowBytes + (bit >> 3)] as number;
      const value = (byte >> (8 - depth - (bit & 7))) & max;
      out[y * width + x] = Math.round((value * 255) / max);
    }
  }
  return { data: out, channels };
}

/** Drops alpha and converts to `target` channels (PIL's `L = (19595 R + 38470 G + 7471 B + 2^15) >> 16`). */
function toChannels(data: Uint8Array, channels: number, pixels: number, target: 1 | 3): Uint8Array {
  const color = channels >= 3;
  if (channels === target) return data;
  const out = new Uint8Array(pixels * target);
  for (let p = 0; p < pixels; p++) {
    const at = p * channels;
    if (!color) {
      out.fill(data[at] as number, p * target, (p + 1) * target);
    } else if (target === 3) {
      out[3 * p] = data[at] as number;
      out[3 * p + 1] = data[at + 1] as number;
      out[3 * p + 2] = data[at + 2] as number;
    } else {
      const [r, g, b] = [data[at] as number, data[at + 1] as number, data[at + 2] as number];
      out[p] = (19595 * r + 38470 * g + 7471 * b + 0x8000) >> 16;
    }
  }
  return out;
}

/**
 * Decodes a PNG (any bit depth; grey, grey+alpha, RGB, RGBA or palette, via
 * fast-png) or a baseline/progressive JPEG (via jpeg-js), recognised by its
 * signature, to 8-bit grey or RGB; alpha is dropped, not blended, as
 * torchvision's loader does. Anything else, and corrupt files, throw
 * `FormatError` naming `file`. Browser-safe.
 *
 * @example
 * const { data, height, width } = decodeImage(readFileSync('cat.png'), 'cat.png', { channels: 3 });
 */
export function decodeImage(bytes: Uint8Array, file: string, options: DecodeImageOptions = {}): DecodedImage {
  const { channels = 3, maxMemoryUsageInMB = 512 } = options;
  if (channels !== 1 && channels !== 3) throw new RangeError(`channels must be 1 or 3, got ${channels}`);
  if (!(maxMemoryUsageInMB > 0)) throw new RangeError(`maxMemoryUsageInMB must be > 0, got ${maxMemoryUsageInMB}`);
  if (bytes.length === 0) throw new FormatError(file, 0, 'empty file: not a PNG or JPEG image');
  let decoded: { data: Uint8Array; width: number; height: number; channels: number };
  if (PNG_SIGNATURE.every((b, i) => bytes[i] === b)) {
    if (bytes.length >= 24) {
      // IHDR's width and height, checked before fast-png allocates (it has no limit of its own): at most 4 × 16-bit samples.
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const [width, height] = [view.getUint32(16), view.getUint32(20)];
      const megabytes = (width * height * 8) / 2 ** 20;
      if (megabytes > maxMemoryUsageInMB) {
        throw new FormatError(
          file,
          16,
          `${width}×${height} PNG may need ${Math.ceil(megabytes)} MB to decode, over maxMemoryUsageInMB ${maxMemoryUsageInMB}`,
        );
      }
    }
    try {
      const png = decodePng(bytes);
      decoded = { ...pngBytes(png), width: png.width, height: png.height };
    } catch (cause) {
      throw new FormatError(file, 0, `corrupt PNG: ${(cause as Error).message}`);
    }
  } else if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    try {
      // Not tolerant: like PIL, a truncated or damaged JPEG is an error, not a grey-filled image.
      const image = jpeg.decode(bytes, {
        useTArray: true,
        formatAsRGBA: false,
        tolerantDecoding: false,
        maxMemoryUsageInMB,
      });
      decoded = { data: image.data, width: image.width, height: image.height, channels: 3 };
    } catch (cause) {
      throw new FormatError(file, 0, `corrupt or unsupported JPEG: ${(cause as Error).message}`);
    }
  } else {
    throw new FormatError(
      file,
      0,
      `not a PNG (89 50 4e 47 …) or JPEG (ff d8 ff …) image: it starts ${hexBytes(bytes)}; convert it to PNG or JPEG`,
    );
  }
  const { width, height } = decoded;
  if (width < 1 || height < 1) throw new FormatError(file, 0, `image has size ${width}×${height}, nothing to decode`);
  return { data: toChannels(decoded.data, decoded.channels, width * height, channels), height, width, channels };
}
