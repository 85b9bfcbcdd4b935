import type { LayerSpec, Shape } from '@convkit/shape';
import * as tf from '@tensorflow/tfjs-core';
import { type ActivationName, activate, checkActivation } from './activation.js';
import type { Initializer } from './initializers.js';
import { type BaseConfig, Layer, type WeightSpec } from './layer.js';
import { fusesHere, matMulBiasActivation } from './ops.js';

/** Options of {@link Dense}. */
export interface DenseConfig extends BaseConfig {
  units: number;
  /** Default true. */
  bias?: boolean;
  /** Default 'linear'. */
  activation?: ActivationName;
  /** Default 'glorotUniform'. */
  kernelInit?: Initializer;
  /** Default 'zeros'. */
  biasInit?: Initializer;
}

/**
 * A fully connected layer on a flat input `[features]`: `y = act(x·W + b)`,
 * W of shape `[features, units]`. Put a {@link Flatten} before it after convolutions.
 *
 * @example
 * ```ts
 * new Dense({ units: 4096, activation: 'relu' }).outputShape([25088]); // [4096]
 * ```
 */
export class Dense extends Layer<DenseConfig> {
  readonly type = 'dense';

  constructor(config: DenseConfig) {
    super(config);
    checkActivation(this.name, config.activation ?? 'linear');
  }

  specs(_input: Shape): LayerSpec[] {
    const { units, bias = true, activation } = this.config;
    return [{ type: 'dense', name: this.name, units, bias, ...(activation ? { activation } : {}) }];
  }

  override weightSpecs(input: Shape): WeightSpec[] {
    const { units, bias = true, kernelInit = 'glorotUniform', biasInit = 'zeros' } = this.config;
    const kernel: WeightSpec = {
      name: 'kernel',
      shape: [input[0] as number, units],
      trainable: true,
      init: kernelInit,
    };
    return bias ? [kernel, { name: 'bias', shape: [units], trainable: true, init: biasInit }] : [kernel];
  }

  protected call(x: tf.Tensor): tf.Tensor {
    const act = this.config.activation ?? 'linear';
    // x·W + b with a ReLU or nothing is one fused kernel, forward and backward.
    if ((this.config.bias ?? true) && (act === 'relu' || act === 'linear') && x.rank === 2 && fusesHere()) {
      const [w, b] = [this.weight('kernel') as unknown as tf.Tensor2D, this.weight('bias') as unknown as tf.Tensor1D];
      return matMulBiasActivation(x as tf.Tensor2D, w, b, act);
    }
    let y = tf.matMul(x as tf.Tensor2D, this.weight('kernel') as tf.Tensor);
    if (this.config.bias ?? true) y = tf.add(y, this.weight('bias'));
    return activate(this.config.activation ?? 'linear', y);
  }
}

/**
 * `[height, width, channels]` → `[height·width·channels]`, row-major (NHWC),
 * the bridge from convolutions to dense layers.
 */
export class Flatten extends Layer<BaseConfig> {
  readonly type = 'flatten';

  constructor(config: BaseConfig = {}) {
    super(config);
  }

  specs(_input: Shape): LayerSpec[] {
    return [{ type: 'flatten', name: this.name }];
  }

  protected call(x: tf.Tensor): tf.Tensor {
    return tf.reshape(x, [x.shape[0] as number, -1]);
  }
}
