import type { LayerSpec, Shape } from '@convkit/shape';
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from './errors.js';
import { type BaseConfig, Layer } from './layer.js';

/**
 * The non-linearities a layer can apply (`linear` is none). Softmax is over the last axis. `swish` and
 * `silu` are one function, x·σ(x); `gelu` is the exact x·Φ(x) (erf form), `geluTanh` PyTorch's tanh
 * approximation; `mish` is x·tanh(softplus(x)); `hardSigmoid` is PyTorch's relu6(x + 3)/6 (ONNX
 * HardSigmoid with alpha 1/6) and `hardSwish` x·hardSigmoid(x), as in MobileNetV3.
 */
export type ActivationName =
  | 'linear'
  | 'relu'
  | 'relu6'
  | 'leakyRelu'
  | 'elu'
  | 'selu'
  | 'tanh'
  | 'sigmoid'
  | 'softplus'
  | 'softmax'
  | 'swish'
  | 'silu'
  | 'gelu'
  | 'geluTanh'
  | 'mish'
  | 'hardSwish'
  | 'hardSigmoid';

const SQRT_HALF = Math.SQRT1_2;
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

const swish = (x: tf.Tensor) => tf.mul(x, tf.sigmoid(x));
const hardSigmoid = (x: tf.Tensor) => tf.div(tf.relu6(tf.add(x, 3)), 6);

const FUNCTIONS: Record<ActivationName, (x: tf.Tensor) => tf.Tensor> = {
  linear: (x) => x,
  relu: (x) => tf.relu(x),
  relu6: (x) => tf.relu6(x),
  leakyRelu: (x) => tf.leakyRelu(x, 0.01),
  elu: (x) => tf.elu(x),
  selu: (x) => tf.selu(x),
  tanh: (x) => tf.tanh(x),
  sigmoid: (x) => tf.sigmoid(x),
  softplus: (x) => tf.softplus(x),
  softmax: (x) => tf.softmax(x),
  swish,
  silu: swish,
  gelu: (x) => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, SQRT_HALF)), 1)),
  geluTanh: (x) => {
    const inner = tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), SQRT_2_OVER_PI);
    return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
  },
  mish: (x) => tf.mul(x, tf.tanh(tf.softplus(x))),
  hardSwish: (x) => tf.mul(x, hardSigmoid(x)),
  hardSigmoid,
};

/** Checks an activation name, naming the layer that was given it. */
export function checkActivation(layer: string, name: unknown): ActivationName {
  if (typeof name !== 'string' || !(name in FUNCTIONS)) {
    throw new ConfigError(
      layer,
      `unknown activation ${JSON.stringify(name)}: use ${Object.keys(FUNCTIONS).join(', ')}`,
    );
  }
  return name as ActivationName;
}

/** Applies a named activation; `alpha` is leakyRelu's negative slope (default 0.01, as PyTorch). */
export function activate(name: ActivationName, x: tf.Tensor, alpha?: number): tf.Tensor {
  return name === 'leakyRelu' && alpha !== undefined ? tf.leakyRelu(x, alpha) : FUNCTIONS[name](x);
}

/** Options of {@link Activation}. */
export interface ActivationConfig extends BaseConfig {
  fn: ActivationName;
  /** leakyRelu's slope for negative inputs. Default 0.01. */
  alpha?: number;
}

/**
 * A non-linearity as a layer of its own (element-wise; softmax over channels).
 *
 * @example
 * ```ts
 * new Activation({ fn: 'relu' });
 * ```
 */
export class Activation extends Layer<ActivationConfig> {
  readonly type = 'activation';

  constructor(config: ActivationConfig) {
    super(config);
    checkActivation(this.name, config.fn);
    if (config.alpha !== undefined && (config.fn !== 'leakyRelu' || !Number.isFinite(config.alpha))) {
      throw new ConfigError(
        this.name,
        `alpha applies to leakyRelu only, as a finite number; received ${JSON.stringify(config.alpha)} for ${config.fn}`,
      );
    }
  }

  specs(_input: Shape): LayerSpec[] {
    return [{ type: 'activation', name: this.name, fn: this.config.fn }];
  }

  protected call(x: tf.Tensor): tf.Tensor {
    return activate(this.config.fn, x, this.config.alpha);
  }
}
