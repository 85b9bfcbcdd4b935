import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from './errors.js';

/**
 * How a weight starts, as data. Fan-in and fan-out are read from an HWIO
 * kernel (`kh·kw·in`, `kh·kw·out`) or an `[in, out]` matrix.
 */
export type Initializer =
  | 'zeros'
  | 'ones'
  | 'glorotUniform'
  | 'glorotNormal'
  | 'heUniform'
  | 'heNormal'
  | 'lecunUniform'
  | 'lecunNormal'
  | { constant: number }
  | { normal: { mean?: number; stddev: number } }
  | { uniform: { min: number; max: number } };

/** `[fanIn, fanOut]` of a weight shape: receptive field × input channels, × output channels. */
export function fans(shape: readonly number[]): [number, number] {
  if (shape.length < 2) return [shape[0] ?? 1, shape[0] ?? 1];
  const field = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return [field * (shape[shape.length - 2] as number), field * (shape[shape.length - 1] as number)];
}

/**
 * A tensor of `shape` drawn by `init` with `seed`: the same seed gives the
 * same bits on the cpu backend. `{ normal: { stddev: 0.01 } }` is the
 * AlexNet/VGG papers' Gaussian(0, 0.01).
 *
 * @example
 * ```ts
 * const w = initialize('heNormal', [3, 3, 64, 128], 42);
 * ```
 */
export function initialize(init: Initializer, shape: number[], seed: number, layer = 'initializer'): tf.Tensor {
  const [fanIn, fanOut] = fans(shape);
  const uniform = (limit: number) => tf.randomUniform(shape, -limit, limit, 'float32', seed);
  // Untruncated, as PyTorch's kaiming_normal_ / xavier_normal_.
  const normal = (stddev: number) => tf.randomNormal(shape, 0, stddev, 'float32', seed);
  if (typeof init === 'object') {
    if ('constant' in init) return tf.fill(shape, init.constant);
    if ('normal' in init) return tf.randomNormal(shape, init.normal.mean ?? 0, init.normal.stddev, 'float32', seed);
    if ('uniform' in init) return tf.randomUniform(shape, init.uniform.min, init.uniform.max, 'float32', seed);
  }
  switch (init) {
    case 'zeros':
      return tf.zeros(shape);
    case 'ones':
      return tf.ones(shape);
    case 'glorotUniform':
      return uniform(Math.sqrt(6 / (fanIn + fanOut)));
    case 'glorotNormal':
      return normal(Math.sqrt(2 / (fanIn + fanOut)));
    case 'heUniform':
      return uniform(Math.sqrt(6 / fanIn));
    case 'heNormal':
      return normal(Math.sqrt(2 / fanIn));
    case 'lecunUniform':
      return uniform(Math.sqrt(3 / fanIn));
    case 'lecunNormal':
      return normal(Math.sqrt(1 / fanIn));
    default:
      throw new ConfigError(
        layer,
        `unknown initializer ${JSON.stringify(init)}: use zeros, ones, glorot/he/lecun Uniform or Normal, { constant }, { normal: { stddev } } or { uniform: { min, max } }`,
      );
  }
}
