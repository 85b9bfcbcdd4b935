import { describe, expect, it } from 'vitest';
import { decodeGif } from '../test/gif.js';
import { encodeGif } from './gif.js';
import { createImage } from './image.js';

function grayRamp(width: number, height: number, offset: number) {
  const image = createImage(width, height);
  for (let i = 0; i < width * height; i++) {
    const v = (i * 7 + offset) % 256;
    image.data.set([v, v, v, 255], 4 * i);
  }
  return image;
}

describe('encodeGif', () => {
  it('stores grayscale frames exactly, with the delay and an endless loop (decoded by an independent decoder)', () => {
    const frames = [grayRamp(9, 5, 0), grayRamp(9, 5, 100), grayRamp(9, 5, 200)];
    const gif = decodeGif(encodeGif(frames, { delay: 300 }));
    expect([gif.width, gif.height, gif.frames.length, gif.loops]).toEqual([9, 5, 3, 0]);
    gif.frames.forEach((frame, i) => {
      expect(frame.delay).toBe(300);
      expect([...frame.rgba]).toEqual([...(frames[i]?.data ?? [])]);
    });
  });

  it('quantizes colour frames to a close palette', () => {
    const image = createImage(4, 4, [0, 114, 178, 255]);
    image.data.set([213, 94, 0, 255], 0);
    const [frame] = decodeGif(encodeGif([image])).frames;
    expect(frame?.rgba.subarray(0, 4)[0]).toBeGreaterThan(200);
    expect(Math.abs((frame?.rgba[4 * 5 + 2] ?? 0) - 178)).toBeLessThanOrEqual(8);
  });

  it('needs frames of one size', () => {
    expect(() => encodeGif([])).toThrow(/needs at least one frame/);
    expect(() => encodeGif([createImage(2, 2), createImage(3, 2)])).toThrow(
      /every frame must be 2×2 like frame 0, frame 1 is 3×2/,
    );
  });
});
