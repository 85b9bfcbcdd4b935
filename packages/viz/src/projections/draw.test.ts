import { ConfigError } from '@convkit/layers';
import { describe, expect, it } from 'vitest';
import { viridis } from '../colormap.js';
import { pixelAt } from '../image.js';
import { heatmapImage, projectionImage } from './draw.js';

describe('projectionImage', () => {
  it('draws 0 as mid grey and the largest magnitude as black or white, one example at a time', () => {
    const projection = { data: Float32Array.from([1, 1, 1, -2, 0, 1]), shape: [2, 1, 3, 1] };
    const image = projectionImage(projection, 1);
    expect([0, 1, 2].map((x) => pixelAt(image, x, 0))).toEqual([
      [0, 0, 0, 255], // −2 = −peak
      [128, 128, 128, 255], // 0
      [191, 191, 191, 255], // 127.5 + 127.5 / 2
    ]);
    expect(projectionImage(projection, 0).data.every((v) => v === 255)).toBe(true); // all at +peak
  });

  it('draws three channels as RGB, upscaled', () => {
    const image = projectionImage({ data: Float32Array.from([4, -4, 0]), shape: [1, 1, 1, 3] }, 0, { scale: 2 });
    expect([image.width, image.height]).toEqual([2, 2]);
    expect(pixelAt(image, 1, 1)).toEqual([255, 0, 128, 255]);
  });

  it('rejects data of the wrong shape and an example outside the batch', () => {
    expect(() => projectionImage({ data: new Float32Array(4), shape: [1, 2, 2] })).toThrow(
      /expects \[batch, h, w, channels\]/,
    );
    expect(() => projectionImage({ data: new Float32Array(4), shape: [1, 2, 2, 1] }, 1)).toThrow(ConfigError);
  });
});

describe('heatmapImage', () => {
  it('colours a map on its own range, or on a given one', () => {
    const map = { data: Float32Array.from([0.2, 0.6]), shape: [1, 1, 2] };
    const own = heatmapImage(map);
    expect(pixelAt(own, 0, 0)).toEqual([...viridis(0), 255]);
    expect(pixelAt(own, 1, 0)).toEqual([...viridis(1), 255]);
    const fixed = heatmapImage(map, 0, { range: [0, 1], colormap: 'gray', scale: 3 });
    expect(fixed.width).toBe(6);
    expect(pixelAt(fixed, 5, 2)[0]).toBe(Math.round(0.6 * 255));
  });

  it('rejects an NHWC projection (use projectionImage)', () => {
    expect(() => heatmapImage({ data: new Float32Array(4), shape: [1, 2, 2, 1] })).toThrow(
      /heatmapImage: expects \[batch, h, w\]/,
    );
  });
});
