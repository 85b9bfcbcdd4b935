import { type BaseConfig, Layer, registerLayer, type WeightSpec } from '@convkit/layers';
import * as tf from '@tensorflow/tfjs-core';

// A Squeeze-and-Excitation gate (Hu et al. 2018) written as a downstream user writes a layer: the
// public Layer contract of @convkit/layers, registered with declaration merging; nothing in layers changes.

type Shape = Parameters<Layer['specs']>[0];
type LayerSpec = ReturnType<Layer['specs']>[number];

export interface SqueezeExciteConfig extends BaseConfig {
  /** Channels / hidden units of the gate's bottleneck. Default 4. */
  ratio?: number;
}

declare module '@convkit/layers' {
  interface LayerConfigs {
    squeezeExcite: SqueezeExciteConfig;
  }
}

/** y = x · σ(W₂·relu(W₁·mean_hw(x) + b₁) + b₂), per channel, on `[h, w, c]`. */
export class SqueezeExcite extends Layer<SqueezeExciteConfig> {
  readonly type = 'squeezeExcite';

  specs(input: Shape): LayerSpec[] {
    const [h = 0, w = 0, c = 0] = input;
    const k = c / (this.config.ratio ?? 4);
    const params = { trainable: c * k + k + k * c + c };
    return [
      { type: 'custom', kind: this.type, name: this.name, output: [...input], params, macs: 2 * c * k + h * w * c },
    ];
  }

  override weightSpecs(input: Shape): WeightSpec[] {
    const c = input[2] ?? 0;
    const k = c / (this.config.ratio ?? 4);
    return [
      { name: 'w1', shape: [c, k], trainable: true, init: 'glorotUniform' },
      { name: 'b1', shape: [k], trainable: true, init: 'zeros' },
      { name: 'w2', shape: [k, c], trainable: true, init: 'glorotUniform' },
      { name: 'b2', shape: [c], trainable: true, init: 'zeros' },
    ];
  }

  protected call(x: tf.Tensor): tf.Tensor {
    const squeezed = tf.mean(x, [1, 2]) as tf.Tensor2D;
    const hidden = tf.relu(tf.add(tf.matMul(squeezed, this.weight('w1') as tf.Tensor2D), this.weight('b1')));
    const gate = tf.sigmoid(
      tf.add(tf.matMul(hidden as tf.Tensor2D, this.weight('w2') as tf.Tensor2D), this.weight('b2')),
    );
    const [n = 1, c = 1] = gate.shape;
    return tf.mul(x, tf.reshape(gate, [n, 1, 1, c]));
  }
}

registerLayer('squeezeExcite', (config) => new SqueezeExcite(config), { keys: { name: true, ratio: true } });
