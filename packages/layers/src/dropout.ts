import type { LayerSpec, Shape } from '@convkit/shape';
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from './errors.js';
import { type ApplyOptions, type BaseConfig, Layer } from './layer.js';

/** Options of {@link Dropout}. */
export interface DropoutConfig extends BaseConfig {
  /** Fraction of units dropped while training, in [0, 1). AlexNet and VGG use 0.5. */
  rate: number;
}

/**
 * Inverted dropout: while training, each unit is kept with probability
 * `1 − rate` and scaled by `1/(1 − rate)`, so inference is the identity.
 * Seeded through `apply(x, { training: true, seed })`.
 */
export class Dropout extends Layer<DropoutConfig> {
  readonly type = 'dropout';

  constructor(config: DropoutConfig) {
    super(config);
    if (typeof config.rate !== 'number' || !(config.rate >= 0 && config.rate < 1)) {
      throw new ConfigError(this.name, `rate must be in [0, 1), received ${JSON.stringify(config.rate)}`);
    }
  }

  specs(_input: Shape): LayerSpec[] {
    return [{ type: 'dropout', name: this.name, rate: this.config.rate }];
  }

  protected call(x: tf.Tensor, options: ApplyOptions): tf.Tensor {
    if (!options.training || this.config.rate === 0) return tf.clone(x);
    return tf.dropout(x, this.config.rate, undefined, options.seed);
  }
}
