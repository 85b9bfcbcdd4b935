import { registerOnnxExport } from '@convkit/io';
import { type BaseConfig, Layer, registerLayer, type WeightSpec } from '@convkit/layers';
import type { LayerSpec, Shape } from '@convkit/shape';
import * as tf from '@tensorflow/tfjs-core';

/** Options of {@link SqueezeExcite}: `ratio` = channels / hidden units of the bottleneck (default 4). */
export type SqueezeExciteConfig = BaseConfig & { ratio?: number };
declare module '@convkit/layers' {
  interface LayerConfigs {
    squeezeExcite: SqueezeExciteConfig; // createLayer('squeezeExcite', …) and fromJSON are typed
  }
}

/** Squeeze-and-Excitation (Hu et al. 2018) on `[h, w, c]`: `y = x · σ(relu(mean_hw(x)·W1 + b1)·W2 + b2)`. */
export class SqueezeExcite extends Layer<SqueezeExciteConfig> {
  readonly type = 'squeezeExcite';
  specs([h = 0, w = 0, c = 0]: Shape): LayerSpec[] {
    const k = c / (this.config.ratio ?? 4); // both dense layers, then the gate's h·w·c multiply:
    const [params, macs] = [{ trainable: c * k + k + k * c + c }, c * k + k * c + h * w * c];
    return [{ type: 'custom', kind: this.type, name: this.name, output: [h, w, c], params, macs, field: 'global' }];
  }
  override weightSpecs([, , c = 0]: Shape): WeightSpec[] {
    const k = c / (this.config.ratio ?? 4);
    return [
      { name: 'w1', shape: [c, k], trainable: true, init: 'glorotUniform' },
      { name: 'b1', shape: [k], trainable: true, init: 'zeros' },
      { name: 'w2', shape: [k, c], trainable: true, init: 'glorotUniform' },
      { name: 'b2', shape: [c], trainable: true, init: 'zeros' },
    ];
  }
  protected call(x: tf.Tensor): tf.Tensor {
    const dense = (v: tf.Tensor, i: number) => tf.add(tf.matMul(v, this.weight(`w${i}`)), this.weight(`b${i}`));
    const gate = tf.sigmoid(dense(tf.relu(dense(tf.mean(x, [1, 2]), 1)), 2));
    return tf.mul(x, tf.reshape(gate, [-1, 1, 1, gate.shape[1] as number]));
  }
}
registerLayer('squeezeExcite', (config) => new SqueezeExcite(config), { keys: { name: true, ratio: true } });
registerOnnxExport('squeezeExcite', (layer, ctx) => {
  const node = (op: string, inputs: string[], suffix: string) => ctx.add(op, inputs, `${layer.name}/${suffix}`);
  const dense = (v: string, i: number) => node('Gemm', [v, ctx.weight(`w${i}`), ctx.weight(`b${i}`)], `dense${i}`);
  const pooled = node('Flatten', [node('GlobalAveragePool', [ctx.input], 'squeeze')], 'flatten'); // NCHW → [n, c]
  const gate = node('Sigmoid', [dense(node('Relu', [dense(pooled, 1)], 'relu'), 2)], 'gate');
  const axes = ctx.int64s(`${layer.name}/axes`, [2, 3]);
  return ctx.add('Mul', [ctx.input, node('Unsqueeze', [gate, axes], 'unsqueeze')], layer.name);
});
