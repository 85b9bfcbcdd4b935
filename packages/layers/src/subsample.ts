import { type LayerSpec, poolWindow, type Shape, type Size2, toPair } from '@convkit/shape';
import * as tf from '@tensorflow/tfjs-core';
import { type ActivationName, activate, checkActivation } from './activation.js';
import type { Initializer } from './initializers.js';
import { type BaseConfig, Layer, type WeightSpec } from './layer.js';
import { windowSum } from './ops.js';
import { placeWindow } from './window.js';

/** Options of {@link Subsample2d}. */
export interface Subsample2dConfig extends BaseConfig {
  /** Window size, a number or `[height, width]`. Default 2 (LeNet-5's S2 and S4). */
  kernel?: Size2;
  /** Default: the kernel size (non-overlapping windows). */
  stride?: Size2;
  /** Applied after the coefficient and bias. LeCun used a scaled tanh (here `'tanh'`) or a sigmoid. Default 'linear'. */
  activation?: ActivationName;
  /**
   * Start of the per-channel coefficient. Default `{ constant: 1 / (kh·kw) }`
   * (0.25 for 2×2): the layer starts as average pooling, so it keeps the
   * scale of its input instead of multiplying it by the window size (which
   * `'ones'`, a plain window sum, would — and would push a following tanh
   * into saturation).
   */
  coefficientInit?: Initializer;
  /** Default 'zeros'. */
  biasInit?: Initializer;
}

/**
 * LeNet-5's trainable subsampling (S2, S4; LeCun et al. 1998): per channel,
 * the sum of each window times a trainable coefficient plus a trainable
 * bias, then an optional activation. Weights `coefficient` `[C]` and `bias`
 * `[C]`: 2·C parameters. No padding: windows lie inside the input.
 *
 * @example
 * ```ts
 * new Subsample2d({ activation: 'tanh' }).outputShape([28, 28, 6]); // [14, 14, 6] — 12 parameters
 * ```
 */
export class Subsample2d extends Layer<Subsample2dConfig> {
  readonly type = 'subsample2d';

  constructor(config: Subsample2dConfig = {}) {
    super(config);
    checkActivation(this.name, config.activation ?? 'linear');
  }

  /** The window with its defaults filled (kernel 2, stride = kernel), once for the shape math and the op. */
  private get window() {
    return poolWindow({ kernel: this.config.kernel ?? 2, stride: this.config.stride, padding: 0 });
  }

  specs(_input: Shape): LayerSpec[] {
    const { kernel, stride } = this.window;
    return [{ type: 'pool', name: this.name, mode: 'subsample', kernel, stride, trainable: true }];
  }

  override weightSpecs(input: Shape): WeightSpec[] {
    const channels = input[2] as number;
    const [kh, kw] = toPair(this.name, 'kernel', this.window.kernel);
    const { coefficientInit = { constant: 1 / (kh * kw) }, biasInit = 'zeros' } = this.config;
    return [
      { name: 'coefficient', shape: [channels], trainable: true, init: coefficientInit },
      { name: 'bias', shape: [channels], trainable: true, init: biasInit },
    ];
  }

  protected call(x: tf.Tensor): tf.Tensor {
    const input = x as tf.Tensor4D;
    const p = placeWindow(this.name, [input.shape[1], input.shape[2]], this.window);
    const y = tf.add(tf.mul(windowSum(input, p.kernel, p.stride), this.weight('coefficient')), this.weight('bias'));
    return activate(this.config.activation ?? 'linear', y);
  }
}
