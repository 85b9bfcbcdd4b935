import { ConfigError } from '@convkit/layers';
import type * as tf from '@tensorflow/tfjs-core';
import { finiteRange } from '../tensor-data.js';
import { type ChartOptions, renderChart } from './render.js';

/** Counts of values per bin. */
export interface Histogram {
  /** `bins + 1` edges; bin i is `[edges[i], edges[i + 1])`, the last bin includes its right edge. */
  edges: number[];
  counts: number[];
  /** Values that were NaN or infinite (not counted). */
  skipped: number;
}

/**
 * Counts of finite values in `bins` equal bins over `range` (default: the
 * values' own range; a single value gets a bin of width 1 around it).
 *
 * @example
 * ```ts
 * histogram([0, 1, 1, 2], 2).counts; // [1, 3]
 * ```
 */
export function histogram(values: ArrayLike<number>, bins: number, range?: readonly [number, number]): Histogram {
  if (!Number.isInteger(bins) || bins < 1) {
    throw new ConfigError('histogram', `bins must be a positive integer, received ${bins}`);
  }
  let [lo, hi] = range ?? finiteRange(values);
  if (!(hi > lo)) [lo, hi] = [lo - 0.5, hi + 0.5];
  const width = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? hi : lo + i * width));
  const counts = new Array<number>(bins).fill(0);
  let skipped = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isFinite(v)) {
      skipped++;
      continue;
    }
    if (v < lo || v > hi) continue;
    const b = Math.min(bins - 1, Math.floor((v - lo) / width));
    counts[b] = (counts[b] ?? 0) + 1;
  }
  return { edges, counts, skipped };
}

/** Options of {@link histogramSvg}. */
export interface HistogramOptions extends ChartOptions {
  /** Name of the x axis. Default `'value'`. */
  xName?: string;
  /** Bin over this `[min, max]` instead of the values' range. */
  range?: readonly [number, number];
}

/**
 * A histogram of values as an SVG bar chart. Takes numbers, not a tensor:
 * read a tensor first with `await t.data()` (a synchronous read would stall
 * a page on WebGPU); a tensor throws `ConfigError`.
 *
 * @example
 * ```ts
 * histogramSvg(await layerKernel(model, 'conv1').data(), 40, { title: 'conv1 weights', xName: 'weight' });
 * ```
 */
export function histogramSvg(values: ArrayLike<number>, bins = 30, options: HistogramOptions = {}): string {
  if (isTensor(values)) {
    throw new ConfigError(
      'histogramSvg',
      `values must be numbers, received a tensor of shape [${values.shape.join(', ')}]: pass await t.data()`,
    );
  }
  const h = histogram(values, bins, options.range);
  const title = options.title ?? 'Histogram';
  const xName = options.xName ?? 'value';
  const counted = h.counts.reduce((a, b) => a + b, 0);
  const first = h.edges[0] as number;
  const last = h.edges.at(-1) as number;
  const description = `Histogram of ${counted} values of ${xName} in ${bins} bins from ${fmt(first)} to ${fmt(last)}${h.skipped ? `; ${h.skipped} non-finite values left out` : ''}.`;
  return renderChart(
    {
      title: { text: title, left: 'center' },
      grid: { left: 70, right: 30, top: 60, bottom: 60 },
      xAxis: {
        type: 'category',
        name: xName,
        nameLocation: 'middle',
        nameGap: 35,
        data: h.counts.map((_, i) => fmt(((h.edges[i] as number) + (h.edges[i + 1] as number)) / 2)),
      },
      yAxis: { type: 'value', name: 'count', nameLocation: 'middle', nameGap: 50 },
      series: [{ type: 'bar', name: 'count', data: h.counts, barCategoryGap: '5%' }],
    },
    {
      width: options.width ?? 640,
      height: options.height ?? 360,
      title,
      description: options.description ?? description,
    },
  );
}

function isTensor(x: unknown): x is tf.Tensor {
  return typeof (x as tf.Tensor).dataSync === 'function';
}

function fmt(v: number): string {
  return Number(v.toPrecision(3)).toString();
}
