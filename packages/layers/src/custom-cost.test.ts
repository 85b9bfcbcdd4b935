import { initBackend } from '@convkit/backend';
import { type LayerSpec, type Shape, ShapeError } from '@convkit/shape';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Conv2d } from './conv.js';
import { Layer, type WeightSpec } from './layer.js';
import { sequential } from './sequential.js';
import { summary } from './summary.js';

beforeAll(async () => {
  await initBackend('cpu');
});

/**
 * A Squeeze-and-Excitation gate (Hu et al. 2018) declaring its own cost:
 * global average → dense c→c/r → ReLU → dense c/r→c → sigmoid → x · gate.
 * `wrongOutput` makes it declare a shape it does not produce.
 */
class SeGate extends Layer<{ name?: string; ratio: number; wrongOutput?: boolean }> {
  readonly type = 'seGate';
  specs(input: Shape): LayerSpec[] {
    const [h = 1, w = 1, c = 1] = input;
    const r = c / this.config.ratio;
    return [
      {
        type: 'custom',
        kind: 'squeezeExcite',
        name: this.name,
        output: this.config.wrongOutput ? [h, w, 0] : [h, w, c],
        params: { trainable: c * r + r + r * c + c },
        macs: c * r + r * c + h * w * c,
      },
    ];
  }
  override weightSpecs(input: Shape): WeightSpec[] {
    const c = input.at(-1) as number;
    const r = c / this.config.ratio;
    return [
      { name: 'w1', shape: [c, r], trainable: true, init: 'heNormal' },
      { name: 'b1', shape: [r], trainable: true, init: 'zeros' },
      { name: 'w2', shape: [r, c], trainable: true, init: 'heNormal' },
      { name: 'b2', shape: [c], trainable: true, init: 'zeros' },
    ];
  }
  protected call(x: tf.Tensor): tf.Tensor {
    const squeezed = tf.mean(x, [1, 2]);
    const hidden = tf.relu(
      tf.add(tf.matMul(squeezed as tf.Tensor2D, this.weight('w1') as tf.Tensor2D), this.weight('b1')),
    );
    const gate = tf.sigmoid(tf.add(tf.matMul(hidden, this.weight('w2') as tf.Tensor2D), this.weight('b2')));
    return tf.mul(x, tf.reshape(gate, [x.shape[0] as number, 1, 1, -1]));
  }
}

describe('a layer that declares its cost with a custom spec', () => {
  // conv 3→16, 3×3 same on 8×8: 8·8·16·27 = 27,648 MACs, 448 params.
  // SE ratio 4 on 16 channels: dense 16→4 (64 + 4), dense 4→16 (64 + 16) = 148 params;
  // MACs 64 + 64 for the dense layers and 8·8·16 = 1,024 for the gate's multiply.
  const model = () =>
    sequential([new Conv2d({ filters: 16, kernel: 3, padding: 1 }), new SeGate({ ratio: 4, name: 'se' })]);

  it("summary() reports the gate's element-wise multiply in its MACs, and its kind as its type", () => {
    const s = summary(model(), { input: [8, 8, 3] });
    expect(s.rows[1]).toMatchObject({ name: 'se', kind: 'squeezeExcite', macs: 64 + 64 + 1024 });
    expect(s.totals).toMatchObject({ params: 448 + 148, trainable: 596, macs: 27_648 + 1152 });
    expect(s.text).toMatch(/se\s+squeezeExcite\s+8×8×16\s+148/);
  });

  it('its declared output shape and parameters are what shape and build see', () => {
    const net = model();
    expect(net.outputShape([8, 8, 3])).toEqual([8, 8, 16]);
    net.build([8, 8, 3], { seed: 2 });
    const built = net.namedWeights().filter(([n]) => n.startsWith('se/'));
    expect(built.reduce((n, [, v]) => n + v.size, 0)).toBe(
      summary(net, { input: [8, 8, 3] }).rows[1]?.params.trainable,
    );
    const x = tf.ones([2, 8, 8, 3]);
    const y = net.apply(x);
    expect(y.shape).toEqual([2, 8, 8, 16]);
    tf.dispose([x, y]);
    net.dispose();
  });

  it('a bad declared output shape is a ShapeError naming the layer', () => {
    const bad = sequential([new SeGate({ ratio: 4, name: 'gate7', wrongOutput: true })]);
    expect(() => bad.outputShape([8, 8, 16])).toThrow(ShapeError);
    expect(() => summary(bad, { input: [8, 8, 16] })).toThrow(/^gate7: declares the output shape \[8, 8, 0\]/);
  });
});
