import { describe, expect, it } from 'vitest';
import { viridis } from './colormap.js';
import { colorbar, featureMaps } from './feature-maps.js';
import { pixelAt } from './image.js';

describe('featureMaps', () => {
  // [1, 2, 2, 2]: channel 0 is 0, 1, 2, 3; channel 1 is 4, 4, 4, 4 (NHWC interleaves channels).
  const activation = { shape: [1, 2, 2, 2], data: [0, 4, 1, 4, 2, 4, 3, 4] };

  it('draws each channel as a heatmap on one colour scale', async () => {
    const r = await featureMaps(activation, { spacing: 0, columns: 2 });
    expect(r.range).toEqual([0, 4]);
    expect([r.image.width, r.image.height]).toEqual([4, 2]);
    expect(pixelAt(r.image, 0, 0)).toEqual([...viridis(0), 255]);
    expect(pixelAt(r.image, 1, 1)).toEqual([...viridis(3 / 4), 255]);
    expect(pixelAt(r.image, 2, 0)).toEqual([...viridis(1), 255]);
    expect(r.tiles.map((t) => [t.channel, t.x])).toEqual([
      [0, 0],
      [1, 2],
    ]);
  });

  it("stretches each map with normalize: 'map'; a flat map sits at the scale's middle", async () => {
    const r = await featureMaps(activation, { spacing: 0, columns: 2, normalize: 'map' });
    expect(pixelAt(r.image, 1, 1)).toEqual([...viridis(1), 255]);
    expect(pixelAt(r.image, 3, 1)).toEqual([...viridis(0.5), 255]);
  });

  it('samples beyond maxTiles with a note, and checks its input', async () => {
    const wide = { shape: [1, 1, 1, 10], data: Array.from({ length: 10 }, (_, i) => i) };
    const r = await featureMaps(wide, { maxTiles: 3 });
    expect(r.tiles.map((t) => t.channel)).toEqual([0, 5, 9]);
    expect(r.note).toMatch(/showing 3 of 10 maps/);
    await expect(featureMaps(wide, { example: 1, name: 'conv1' })).rejects.toThrow(
      /featureMaps\(conv1\): example 1 is out of range for a batch of 1/,
    );
    await expect(featureMaps({ shape: [2, 2], data: [1, 2, 3, 4] })).rejects.toThrow(/rank 4, received shape \[2, 2\]/);
  });
});

describe('colorbar', () => {
  it('runs from the colour of 0 on the left to that of 1 on the right', () => {
    const bar = colorbar('viridis', { width: 5, height: 2 });
    expect(pixelAt(bar, 0, 1)).toEqual([...viridis(0), 255]);
    expect(pixelAt(bar, 4, 0)).toEqual([...viridis(1), 255]);
  });
});
