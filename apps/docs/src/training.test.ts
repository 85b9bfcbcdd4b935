import { describe, expect, it } from 'vitest';
import { imagesPerSecond } from './training.js';

describe('the playground training throughput', () => {
  it('weighs each epoch by its time: images over seconds of the whole run', () => {
    // 320 images in 2 s, then 320 in 0.5 s: 640 images in 2.5 s = 256/s (not the mean of 160 and 640).
    expect(
      imagesPerSecond([
        { seconds: 2, examplesPerSecond: 160 },
        { seconds: 0.5, examplesPerSecond: 640 },
      ]),
    ).toBeCloseTo(256, 10);
    expect(imagesPerSecond([{ seconds: 4, examplesPerSecond: 80 }])).toBeCloseTo(80, 10);
  });

  it('has no figure before an epoch ends', () => {
    expect(imagesPerSecond([])).toBeUndefined();
    expect(imagesPerSecond([{ seconds: 0, examplesPerSecond: Number.NaN }])).toBeUndefined();
  });
});
