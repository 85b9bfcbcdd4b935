import type { Layer } from '@convkit/layers';
import type * as tf from '@tensorflow/tfjs-core';
import { type HistogramOptions, histogram, histogramSvg } from './histogram.js';

/** One layer's histogram: numbers and the chart. */
export interface LayerHistogram {
  /** The weight's full name (`conv1/kernel`) or the layer's name. */
  name: string;
  counts: number[];
  edges: number[];
  svg: string;
}

/** Options of {@link weightHistograms} and {@link activationHistograms}. */
export interface LayerHistogramOptions extends Omit<HistogramOptions, 'title' | 'description' | 'xName'> {
  /** Default 40. */
  bins?: number;
}

/**
 * A histogram per weight of a built model (`conv1/kernel`, `conv1/bias`, …).
 * Asynchronous: the weights are read with `await data()`, which does not
 * stall a page on WebGPU.
 *
 * @example
 * ```ts
 * for (const h of await weightHistograms(model)) writeSvg(`${h.name.replace('/', '-')}.svg`, h.svg);
 * ```
 */
export async function weightHistograms(model: Layer, options: LayerHistogramOptions = {}): Promise<LayerHistogram[]> {
  const { bins = 40, ...rest } = options;
  const weights = model.namedWeights();
  const read = await Promise.all(weights.map(([, v]) => v.data()));
  return weights.map(([name, v], i) => {
    const values = read[i] as ArrayLike<number>;
    const h = histogram(values, bins, options.range);
    return {
      name,
      counts: h.counts,
      edges: h.edges,
      svg: histogramSvg(values, bins, { ...rest, title: `${name} [${v.shape.join('×')}]`, xName: 'weight' }),
    };
  });
}

/** The leaves of nested sequential containers, in order. */
function leaves(layer: Layer): Layer[] {
  // Only a sequential chains its children; any other container runs as one layer.
  return layer.type === 'sequential' ? layer.children.flatMap(leaves) : [layer];
}

/**
 * A histogram of every layer's output for a batch `x` (NHWC), in one
 * forward pass through the model's layers (sequential containers are
 * opened; other layers count as one). Asynchronous: each output is read
 * with `await data()`, which does not stall a page on WebGPU.
 *
 * @example
 * ```ts
 * (await activationHistograms(model, images)).map((h) => h.name); // ['conv1', 'pool1', …]
 * ```
 */
export async function activationHistograms(
  model: Layer,
  x: tf.Tensor,
  options: LayerHistogramOptions = {},
): Promise<LayerHistogram[]> {
  const { bins = 40, ...rest } = options;
  const out: LayerHistogram[] = [];
  let h = x;
  try {
    for (const layer of leaves(model)) {
      const next = layer.apply(h);
      if (h !== x) h.dispose();
      h = next;
      out.push(await layerHistogram(layer.name, h, bins, rest, options.range));
    }
  } finally {
    // Also on a failed read or layer: the last intermediate output is ours to free.
    if (h !== x) h.dispose();
  }
  return out;
}

async function layerHistogram(
  name: string,
  h: tf.Tensor,
  bins: number,
  rest: Omit<LayerHistogramOptions, 'bins'>,
  range: LayerHistogramOptions['range'],
): Promise<LayerHistogram> {
  const values = await h.data();
  const hist = histogram(values, bins, range);
  return {
    name,
    counts: hist.counts,
    edges: hist.edges,
    svg: histogramSvg(values, bins, { ...rest, title: `${name} output [${h.shape.join('×')}]`, xName: 'activation' }),
  };
}
