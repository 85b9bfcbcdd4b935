import { initBackend } from '@convkit/backend';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { inspectSvg } from '../../test/svg.js';
import { histogram, histogramSvg } from './histogram.js';

beforeAll(async () => {
  await initBackend('cpu');
});

describe('histogram', () => {
  it('counts values in equal bins, the last one closed', () => {
    expect(histogram([0, 1, 1, 2], 2)).toEqual({ edges: [0, 1, 2], counts: [1, 3], skipped: 0 });
    expect(histogram([0, 0.5, 1, Number.NaN, 7], 4, [0, 1])).toEqual({
      edges: [0, 0.25, 0.5, 0.75, 1],
      counts: [1, 0, 1, 1],
      skipped: 1,
    });
    expect(histogram([3, 3], 2).edges).toEqual([2.5, 3, 3.5]);
    expect(() => histogram([1], 0)).toThrow(/bins must be a positive integer, received 0/);
  });
});

describe('histogramSvg', () => {
  it('draws one bar per bin in well-formed SVG', () => {
    const svg = inspectSvg(histogramSvg([1, 2, 2, 3, 3, 3, 4, 4, 5], 5, { title: 'conv1 weights', xName: 'weight' }));
    expect(svg.pointsPerSeries()).toEqual([5]);
    expect(svg.title).toBe('conv1 weights');
    expect(svg.texts).toEqual(expect.arrayContaining(['weight', 'count', '3']));
    expect(svg.desc).toBe('Histogram of 9 values of weight in 5 bins from 1 to 5.');
  });

  it('refuses a tensor, saying to read it asynchronously first (a sync read stalls a page on WebGPU)', () => {
    const t = tf.tensor1d([1, 2, 3]);
    expect(() => histogramSvg(t as unknown as number[])).toThrow(
      /histogramSvg: .*tensor of shape \[3\].*await t\.data\(\)/,
    );
    t.dispose();
  });
});
