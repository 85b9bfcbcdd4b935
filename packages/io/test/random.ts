import type { Layer } from '@convkit/layers';
import { mulberry32 } from '@convkit/shape';
import * as tf from '@tensorflow/tfjs-core';

// The fuzz tests draw from shape's seeded generator, so a failing case names its seed.
export { mulberry32 };

/** `count` values uniform in [−scale, scale), seeded. */
export function uniform(count: number, seed: number, scale = 1): Float32Array {
  const random = mulberry32(seed);
  return Float32Array.from({ length: count }, () => (2 * random() - 1) * scale);
}

/** The largest |a − b| over two arrays of the same length. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] as number) - (b[i] as number)));
  return worst;
}

/**
 * Non-trivial biases and batch-norm statistics (the initializers make them 0
 * and 1, which would hide a bias wired to the wrong node), seeded. Kernels
 * keep their He/Glorot initialization, so activations stay of order one.
 */
export function randomizeWeights(model: Layer, seed: number): void {
  const values: Record<string, tf.Tensor> = {};
  model.namedWeights().forEach(([name, v], k) => {
    if (v.rank > 1) return;
    const data = uniform(v.size, seed + k, 0.2);
    if (name.endsWith('/movingVariance') || name.endsWith('/gamma'))
      for (let i = 0; i < data.length; i++) data[i] = 0.5 + Math.abs(data[i] as number);
    values[name] = tf.tensor(data, v.shape);
  });
  model.setWeights(values);
  tf.dispose(Object.values(values));
}
