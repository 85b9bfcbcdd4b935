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
 *
 * @example
 * ```ts
 * for (const h of weightHistograms(model)) writeSvg(`${h.name.replace('/', '-')}.svg`, h.svg);
 * ```
 */
export function weightHistograms(model: Layer, options: LayerHistogramOptions = {}): LayerHistogram[] {
  const { bins = 40, ...rest } = options;
  return model.namedWeights().map(([name, v]) => {
    const values = v.dataSync();
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
 * opened; other layers count as one).
 *
 * @example
 * ```ts
 * activationHistograms(model, images).map((h) => h.name); // ['conv1', 'pool1', …]
 * ```
 */
export function activationHistograms(
  model: Layer,
  x: tf.Tensor,
  options: LayerHistogramOptions = {},
): LayerHistogram[] {
  const { bins = 40, ...rest } = options;
  const out: LayerHistogram[] = [];
  let h = x;
  for (const layer of leaves(model)) {
    const next = layer.apply(h);
    if (h !== x) h.dispose();
    h = next;
    const values = h.dataSync();
    const hist = histogram(values, bins, options.range);
    out.push({
      name: layer.name,
      counts: hist.counts,
      edges: hist.edges,
      svg: histogramSvg(values, bins, {
        ...rest,
        title: `${layer.name} output [${h.shape.join('×')}]`,
        xName: 'activation',
      }),
    });
  }
  if (h !== x) h.dispose();
  return out;
}
