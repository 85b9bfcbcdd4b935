/**
 * The library computing the course's small examples: a `Conv2d`, pooling
 * layers and activations from @convkit/layers run on plain arrays, on
 * whatever backend `src/runtime.ts` started. Results are read with
 * `await t.array()`: on WebGPU a synchronous read stalls the page.
 */
import {
  type ActivationName,
  AvgPool2d,
  activate,
  Conv2d,
  type Layer,
  LpPool2d,
  MaxPool2d,
  StochasticPool2d,
} from '@convkit/layers';
import * as tf from '@tensorflow/tfjs-core';

/** A square single-channel map as an NHWC batch of one. */
function toTensor(map: number[][]): tf.Tensor4D {
  const h = map.length;
  const w = map[0]?.length ?? 0;
  return tf.tensor4d(map.flat(), [1, h, w, 1]);
}

/** Channel `c` of a `[1, h, w, C]` tensor as rows. */
function channelOf(values: number[][][][], c: number): number[][] {
  return (values[0] ?? []).map((row) => row.map((px) => px[c] as number));
}

/**
 * Convolves a one-channel image with several 2-D kernels through the
 * library's `Conv2d` (HWIO weights set from the kernels, zero bias), and
 * returns one map per kernel.
 */
export async function convolveWithLibrary(
  image: number[][],
  kernels: number[][][],
  options: { stride?: number; padding?: number } = {},
): Promise<number[][][]> {
  const k = kernels[0]?.length ?? 0;
  const conv = new Conv2d({
    name: 'conv',
    filters: kernels.length,
    kernel: k,
    stride: options.stride ?? 1,
    padding: options.padding ?? 0,
  });
  conv.build([image.length, image[0]?.length ?? 0, 1]);
  try {
    // HWIO: kernel[i][j][0][f] = kernels[f][i][j].
    const hwio: number[] = [];
    for (let i = 0; i < k; i++)
      for (let j = 0; j < k; j++) for (const kernel of kernels) hwio.push(kernel[i]?.[j] ?? 0);
    const weights = {
      'conv/kernel': tf.tensor4d(hwio, [k, k, 1, kernels.length]),
      'conv/bias': tf.zeros([kernels.length]),
    };
    conv.setWeights(weights);
    for (const t of Object.values(weights)) t.dispose();
    const x = toTensor(image);
    const y = conv.apply(x);
    x.dispose();
    try {
      const values = (await y.array()) as number[][][][];
      return kernels.map((_, f) => channelOf(values, f));
    } finally {
      y.dispose();
    }
  } finally {
    conv.dispose();
  }
}

/** An activation function of the library applied to a map. */
export async function activateWithLibrary(map: number[][], fn: ActivationName): Promise<number[][]> {
  const y = tf.tidy(() => activate(fn, toTensor(map)));
  try {
    return channelOf((await y.array()) as number[][][][], 0);
  } finally {
    y.dispose();
  }
}

export type PoolingKind = 'max' | 'average' | 'l2' | 'stochastic';

function poolLayer(kind: PoolingKind, kernel: number, stride: number): Layer {
  switch (kind) {
    case 'max':
      return new MaxPool2d({ kernel, stride });
    case 'average':
      return new AvgPool2d({ kernel, stride });
    case 'l2':
      return new LpPool2d({ kernel, stride, p: 2 });
    case 'stochastic':
      return new StochasticPool2d({ kernel, stride });
  }
}

/**
 * Pools a map with the library's pooling layer. Stochastic pooling draws a
 * position in proportion to the (non-negative) activations while training,
 * seeded; at test time it returns the probability-weighted average.
 */
export async function poolWithLibrary(
  map: number[][],
  kind: PoolingKind,
  options: { kernel?: number; stride?: number; training?: boolean; seed?: number } = {},
): Promise<number[][]> {
  const layer = poolLayer(kind, options.kernel ?? 2, options.stride ?? options.kernel ?? 2);
  layer.build([map.length, map[0]?.length ?? 0, 1]);
  const x = toTensor(map);
  const y = layer.apply(x, { training: options.training ?? false, seed: options.seed ?? 0 });
  x.dispose();
  layer.dispose();
  try {
    return channelOf((await y.array()) as number[][][][], 0);
  } finally {
    y.dispose();
  }
}

/** A map moved right by `dx` columns, zeros coming in at the left. */
export function shiftRight(map: number[][], dx: number): number[][] {
  return map.map((row) => row.map((_, j) => (j - dx >= 0 ? (row[j - dx] as number) : 0)));
}
