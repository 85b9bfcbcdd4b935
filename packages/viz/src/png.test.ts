import { decode, encode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { createImage } from './image.js';
import { decodePng, encodePng } from './png.js';

describe('encodePng', () => {
  it('writes PNG bytes that fast-png decodes to the same RGBA pixels', () => {
    const image = createImage(3, 2);
    image.data.set([0, 0, 0, 255, 10, 20, 30, 40, 255, 128, 1, 255, 7, 7, 7, 255, 200, 100, 50, 0, 1, 2, 3, 4]);
    const bytes = encodePng(image);
    expect([...bytes.subarray(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
    const png = decode(bytes);
    expect([png.width, png.height, png.channels, png.depth]).toEqual([3, 2, 4, 8]);
    expect([...png.data]).toEqual([...image.data]);
  });

  it('round-trips through decodePng, and expands gray PNGs to RGBA', () => {
    const image = createImage(2, 2, [9, 8, 7, 255]);
    expect(decodePng(encodePng(image))).toEqual(image);
    const grayPng = encode({ width: 2, height: 1, data: new Uint8Array([0, 200]), channels: 1, depth: 8 });
    expect([...decodePng(grayPng).data]).toEqual([0, 0, 0, 255, 200, 200, 200, 255]);
  });

  it('rejects a buffer of the wrong size, repeating the sizes', () => {
    expect(() => encodePng({ width: 2, height: 2, data: new Uint8ClampedArray(15) })).toThrow(
      /a 2×2 RGBA image needs 16 bytes, received 15/,
    );
  });
});
