import type { LayerSpec, Shape } from '@convkit/shape';
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from './errors.js';
import type { Initializer } from './initializers.js';
import { type BaseConfig, Layer, type WeightSpec } from './layer.js';

/** Options of {@link ChannelPool}. */
export interface ChannelPoolConfig extends BaseConfig {
  /** Consecutive channels pooled into one: the channel count must divide by it. */
  pieces: number;
}

/** Options of {@link Maxout}. */
export interface MaxoutConfig extends BaseConfig {
  /** Outputs: each the maximum of `pieces` affine functions of the input. */
  units: number;
  /** Affine pieces per unit (the paper uses 2 to 5). */
  pieces: number;
  /** Default true. */
  bias?: boolean;
  /** Default 'glorotUniform' (over the `[features, units·pieces]` kernel). */
  kernelInit?: Initializer;
  /** Default 'zeros'. */
  biasInit?: Initializer;
}

/** A `ConfigError` naming the layer unless `value` is an integer ≥ 1 (shared by the channel layers). */
export function checkPositiveInt(layer: string, what: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new ConfigError(
      layer,
      `${what} must be a positive integer, received ${typeof value === 'number' ? value : JSON.stringify(value)}`,
    );
  }
}

/** Max over groups of `pieces` consecutive entries of the last axis: `[…, c]` → `[…, c / pieces]`. */
function maxOverPieces(x: tf.Tensor, pieces: number): tf.Tensor {
  const shape = x.shape;
  const channels = shape.at(-1) as number;
  return tf.max(tf.reshape(x, [...shape.slice(0, -1), channels / pieces, pieces]), -1);
}

/**
 * Cross-channel max pooling: output channel `j` is the maximum of input
 * channels `j·pieces … j·pieces + pieces − 1` at the same position —
 * maxout over the channels of a convolution (Goodfellow et al. 2013).
 * `[h, w, c]` → `[h, w, c / pieces]`; a flat `[features]` input works too.
 * No parameters.
 *
 * @example
 * ```ts
 * const maxoutConv = sequential([new Conv2d({ filters: 96, kernel: 5 }), new ChannelPool({ pieces: 2 })]);
 * maxoutConv.outputShape([32, 32, 3]); // [28, 28, 48]
 * new ChannelPool({ pieces: 4 }).outputShape([240]); // [60]
 * ```
 */
export class ChannelPool extends Layer<ChannelPoolConfig> {
  readonly type = 'channelPool';

  constructor(config: ChannelPoolConfig) {
    super(config);
    checkPositiveInt(this.name, 'pieces', config.pieces);
  }

  specs(_input: Shape): LayerSpec[] {
    return [{ type: 'channelPool', name: this.name, pieces: this.config.pieces }];
  }

  protected call(x: tf.Tensor): tf.Tensor {
    return maxOverPieces(x, this.config.pieces);
  }
}

/**
 * A maxout layer (Goodfellow et al. 2013) on a flat input `[features]`: a
 * dense layer with `units · pieces` outputs, then the maximum of each unit's
 * `pieces` consecutive outputs, `h_u = max_k (x·W + b)_{u·pieces + k}`.
 * Weights: `kernel [features, units·pieces]`, `bias [units·pieces]` — as
 * many parameters as `maxoutParams({ inFeatures, units, pieces })`.
 *
 * @example
 * ```ts
 * const maxout = new Maxout({ units: 240, pieces: 5 });
 * maxout.outputShape([784]);                          // [240]
 * summary(maxout, { input: [784] }).totals.params;    // 942,000 = 784·1200 + 1200
 * ```
 */
export class Maxout extends Layer<MaxoutConfig> {
  readonly type = 'maxout';

  constructor(config: MaxoutConfig) {
    super(config);
    checkPositiveInt(this.name, 'units', config.units);
    checkPositiveInt(this.name, 'pieces', config.pieces);
  }

  specs(_input: Shape): LayerSpec[] {
    const { units, pieces, bias = true } = this.config;
    return [
      { type: 'dense', name: this.name, units: units * pieces, bias },
      { type: 'channelPool', name: `${this.name}/max`, pieces },
    ];
  }

  override weightSpecs(input: Shape): WeightSpec[] {
    const { units, pieces, bias = true, kernelInit = 'glorotUniform', biasInit = 'zeros' } = this.config;
    const kernel: WeightSpec = {
      name: 'kernel',
      shape: [input[0] as number, units * pieces],
      trainable: true,
      init: kernelInit,
    };
    return bias ? [kernel, { name: 'bias', shape: [units * pieces], trainable: true, init: biasInit }] : [kernel];
  }

  protected call(x: tf.Tensor): tf.Tensor {
    let z = tf.matMul(x as tf.Tensor2D, this.weight('kernel') as tf.Tensor);
    if (this.config.bias ?? true) z = tf.add(z, this.weight('bias'));
    return maxOverPieces(z, this.config.pieces);
  }
}
