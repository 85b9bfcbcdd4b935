import type { LayerSpec, Shape } from '@convkit/shape';
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from './errors.js';
import { type ApplyOptions, type BaseConfig, Layer, type WeightSpec } from './layer.js';

/** Options of {@link BatchNorm}. */
export interface BatchNormConfig extends BaseConfig {
  /** Running statistics: `running = momentum·running + (1 − momentum)·batch` (Keras and ONNX). Default 0.9. */
  momentum?: number;
  /** Default 1e-5. */
  epsilon?: number;
  /** Learn a scale γ. Default true. */
  scale?: boolean;
  /** Learn a shift β. Default true. */
  center?: boolean;
}

/**
 * Batch normalization over the channels (the last axis). Training: the
 * batch's mean and population variance normalize, and update the running
 * averages; inference: the running averages. γ and β train; the running mean
 * and variance are non-trainable weights (saved with the model).
 */
export class BatchNorm extends Layer<BatchNormConfig> {
  readonly type = 'batchNorm';

  constructor(config: BatchNormConfig = {}) {
    super(config);
    const { momentum = 0.9, epsilon = 1e-5 } = config;
    if (!(momentum >= 0 && momentum < 1))
      throw new ConfigError(this.name, `momentum must be in [0, 1), received ${momentum}`);
    if (!(epsilon > 0)) throw new ConfigError(this.name, `epsilon must be > 0, received ${epsilon}`);
  }

  specs(_input: Shape): LayerSpec[] {
    const { scale = true, center = true } = this.config;
    return [{ type: 'batchNorm', name: this.name, scale, center }];
  }

  override weightSpecs(input: Shape): WeightSpec[] {
    const channels = input[input.length - 1] as number;
    const { scale = true, center = true } = this.config;
    const weights: WeightSpec[] = [];
    if (scale) weights.push({ name: 'gamma', shape: [channels], trainable: true, init: 'ones' });
    if (center) weights.push({ name: 'beta', shape: [channels], trainable: true, init: 'zeros' });
    weights.push({ name: 'movingMean', shape: [channels], trainable: false, init: 'zeros' });
    weights.push({ name: 'movingVariance', shape: [channels], trainable: false, init: 'ones' });
    return weights;
  }

  protected call(x: tf.Tensor, options: ApplyOptions): tf.Tensor {
    const { momentum = 0.9, epsilon = 1e-5, scale = true, center = true } = this.config;
    const movingMean = this.weight('movingMean');
    // Explicit 1s and 0s: tfjs' batch-norm gradient fails on an undefined scale or offset.
    const gamma = scale ? (this.weight('gamma') as tf.Tensor1D) : tf.onesLike(movingMean);
    const beta = center ? (this.weight('beta') as tf.Tensor1D) : tf.zerosLike(movingMean);
    const movingVariance = this.weight('movingVariance');
    if (!options.training) return tf.batchNorm(x, movingMean, movingVariance, beta, gamma, epsilon);
    const axes = [...Array(x.rank - 1).keys()];
    const { mean, variance } = tf.moments(x, axes);
    movingMean.assign(tf.add(tf.mul(movingMean, momentum), tf.mul(mean, 1 - momentum)));
    movingVariance.assign(tf.add(tf.mul(movingVariance, momentum), tf.mul(variance, 1 - momentum)));
    return tf.batchNorm(x, mean, variance, beta, gamma, epsilon);
  }
}

/** Options of {@link LocalResponseNorm}. */
export interface LrnConfig extends BaseConfig {
  /** Channels in the window, n (odd). Default 5. */
  size?: number;
  /** α, divided by n as Caffe, PyTorch and ONNX do. Default 1e-4. */
  alpha?: number;
  /** Default 0.75. */
  beta?: number;
  /** Default 2. */
  k?: number;
}

/**
 * Local response normalization across channels (AlexNet):
 * `b = a / (k + (α/n)·Σ a²)^β` over the n channels centred on each one.
 * Defaults are AlexNet's k = 2, n = 5, α = 1e-4, β = 0.75 in the α/n
 * convention of Caffe, PyTorch and ONNX; the AlexNet paper's formula has no
 * /n, so its exact numbers need `alpha: 5e-4`.
 */
export class LocalResponseNorm extends Layer<LrnConfig> {
  readonly type = 'lrn';

  constructor(config: LrnConfig = {}) {
    super(config);
    const { size = 5 } = config;
    if (!Number.isInteger(size) || size < 1 || size % 2 === 0) {
      throw new ConfigError(
        this.name,
        `size must be an odd positive integer (a window centred on each channel), received ${size}`,
      );
    }
  }

  specs(_input: Shape): LayerSpec[] {
    return [{ type: 'lrn', name: this.name, size: this.config.size ?? 5 }];
  }

  protected call(x: tf.Tensor): tf.Tensor {
    const { size = 5, alpha = 1e-4, beta = 0.75, k = 2 } = this.config;
    return tf.localResponseNormalization(x as tf.Tensor4D, (size - 1) / 2, k, alpha / size, beta);
  }
}
