import type { LayerSpec, Shape } from '@convkit/shape';
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from './errors.js';
import { type BaseConfig, Layer } from './layer.js';

/** Options of {@link GlobalPool2d}. */
export interface GlobalPool2dConfig extends BaseConfig {
  /** Default 'avg' (Network in Network, GoogLeNet). */
  mode?: 'avg' | 'max';
}

/** Pools each channel over the whole map: `[h, w, c]` → `[c]`. */
export class GlobalPool2d extends Layer<GlobalPool2dConfig> {
  readonly type = 'globalPool2d';

  constructor(config: GlobalPool2dConfig = {}) {
    super(config);
    const { mode = 'avg' } = config;
    if (mode !== 'avg' && mode !== 'max')
      throw new ConfigError(this.name, `mode must be 'avg' or 'max', received ${JSON.stringify(mode)}`);
  }

  specs(_input: Shape): LayerSpec[] {
    return [{ type: 'globalPool', name: this.name, mode: this.config.mode ?? 'avg' }];
  }

  protected call(x: tf.Tensor): tf.Tensor {
    return (this.config.mode ?? 'avg') === 'max' ? tf.max(x, [1, 2]) : tf.mean(x, [1, 2]);
  }
}
