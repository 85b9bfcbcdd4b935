import { describe, expect, it } from 'vitest';
import { decodeGif } from '../test/gif.js';
import { FilterEvolution } from './evolution.js';
import { pixelAt } from './image.js';

// Two 1×2 filters (HWIO [1, 2, 1, 2]); data index (x·1 + 0)·2 + f.
const snapshot = (scale: number) => ({ shape: [1, 2, 1, 2], data: [0, 0, scale, 2 * scale] });

describe('FilterEvolution', () => {
  it('copies each snapshot, so later changes to the weights do not alter it', async () => {
    const evolution = new FilterEvolution({ spacing: 0 });
    const weights = snapshot(1);
    await evolution.record('epoch 0', weights);
    weights.data[3] = 100;
    await evolution.record('epoch 1', weights);
    expect(evolution.labels).toEqual(['epoch 0', 'epoch 1']);
    const global = new FilterEvolution({ spacing: 0, normalize: 'global' });
    await global.record('a', snapshot(1));
    await global.record('b', snapshot(2));
    // One range over both snapshots ([0, 4]): the first is dimmer than the second.
    const { image, rows } = global.grid();
    expect(rows).toEqual([
      { label: 'a', y: 0, height: 1 },
      { label: 'b', y: 1, height: 1 },
    ]);
    expect([image.width, image.height]).toEqual([4, 2]);
    expect([0, 1, 2, 3].map((x) => pixelAt(image, x, 0)[0])).toEqual([0, 64, 0, 128]);
    expect([0, 1, 2, 3].map((x) => pixelAt(image, x, 1)[0])).toEqual([0, 128, 0, 255]);
  });

  it('draws a row per snapshot with spacing shared between rows, and animates the same frames', async () => {
    const evolution = new FilterEvolution({ spacing: 1, scale: 2 });
    for (let epoch = 1; epoch <= 3; epoch++) await evolution.record(`epoch ${epoch}`, snapshot(epoch));
    const { image, rows } = evolution.grid();
    // Tiles 1×2 at scale 2 are 2 px high: a row is 1 + 2 + 1 px, rows overlap their 1 px borders.
    expect(rows.map((r) => r.y)).toEqual([1, 4, 7]);
    expect([image.width, image.height]).toEqual([11, 10]);
    const frames = evolution.frames();
    const gif = decodeGif(evolution.gif({ delay: 200 }));
    expect(gif.frames.map((f) => [...f.rgba])).toEqual(frames.map((f) => [...f.data]));
  });

  it('samples rows beyond maxRows, with a note, and rejects a kernel of another shape', async () => {
    const evolution = new FilterEvolution({ maxRows: 2, name: 'conv1' });
    for (let epoch = 0; epoch < 5; epoch++) await evolution.record(`epoch ${epoch}`, snapshot(epoch + 1));
    const grid = evolution.grid();
    expect(grid.rows.map((r) => r.label)).toEqual(['epoch 0', 'epoch 4']);
    expect(grid.note).toMatch(/showing 2 of 5 snapshots/);
    await expect(evolution.record('other', { shape: [3, 3, 1, 2], data: new Array(18).fill(0) })).rejects.toThrow(
      /FilterEvolution\(conv1\): snapshot "other" has shape \[3, 3, 1, 2\], the first \("epoch 0"\) \[1, 2, 1, 2\]/,
    );
    expect(() => new FilterEvolution().grid()).toThrow(/no snapshot recorded/);
  });
});
