import { initBackend } from '@convkit/backend';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Activation } from './activation.js';
import { Conv2d } from './conv.js';
import { Dense, Flatten } from './dense.js';
import { Dropout } from './dropout.js';
import type { Layer } from './layer.js';
import { AvgPool2d, MaxPool2d } from './pool.js';
import { type Sequential, sequential } from './sequential.js';
import { summary } from './summary.js';

const VGG_D = [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'] as const;

function vgg16(): Sequential {
  return sequential([
    ...VGG_D.map((v) =>
      v === 'M' ? new MaxPool2d({ kernel: 2 }) : new Conv2d({ filters: v, kernel: 3, padding: 1, activation: 'relu' }),
    ),
    new Flatten(),
    new Dense({ units: 4096, activation: 'relu' }),
    new Dropout({ rate: 0.5 }),
    new Dense({ units: 4096, activation: 'relu' }),
    new Dropout({ rate: 0.5 }),
    new Dense({ units: 1000 }),
  ]);
}

beforeAll(async () => {
  await initBackend('cpu');
});

describe('summary', () => {
  it('VGG-16 built from layers: 138,357,544 parameters and 15,470,264,320 MACs, no tensor allocated', () => {
    const before = tf.memory().numTensors;
    const s = summary(vgg16(), { input: [224, 224, 3], batch: 64 });
    expect(tf.memory().numTensors).toBe(before);
    expect(s.totals.params).toBe(138_357_544);
    expect(s.totals.macs).toBe(15_470_264_320);
    expect(s.totals.flops).toBe(2 * 15_470_264_320);
    expect(s.output).toEqual([1000]);
    expect(s.rows.map((r) => r.name).slice(0, 3)).toEqual(['conv2d1', 'conv2d2', 'maxPool2d1']);
    expect(s.text).toMatch(/^conv2d1 +conv +224×224×64 +1,792 +0 +86\.70 MMACs +12\.85 MB$/m);
    expect(s.text).toContain('params: 138,357,544 (trainable 138,357,544, non-trainable 0)');
    expect(String(s)).toBe(s.text);
    expect(JSON.parse(JSON.stringify(s)).totals.params).toBe(138_357_544);
  });

  it('reports the shapes a real forward pass produces, for every layer type', () => {
    const layers: Layer[] = [
      new Conv2d({ filters: 4, kernel: 3, stride: 2, padding: 'same' }),
      new Activation({ fn: 'relu' }),
      new Conv2d({
        filters: 4,
        kernel: [3, 2],
        dilation: 2,
        padding: [
          [1, 2],
          [0, 1],
        ],
        groups: 2,
      }),
      new MaxPool2d({ kernel: 3, stride: 2, ceilMode: true }),
      new AvgPool2d({ kernel: 2, stride: 1, padding: 1, countIncludePad: true }),
      new Flatten(),
      new Dropout({ rate: 0.5 }),
      new Dense({ units: 5 }),
    ];
    const model = sequential(layers);
    const input = [17, 15, 3];
    const s = summary(model, { input });
    model.build(input, { seed: 2 });
    let h: tf.Tensor = tf.zeros([2, ...input]);
    layers.forEach((layer, i) => {
      const next = layer.apply(h, { training: true, seed: 1 });
      h.dispose();
      h = next;
      expect(h.shape.slice(1), layer.name).toEqual(s.rows[i]?.outputShape);
    });
    h.dispose();
    model.dispose();
  });

  it('needs an input shape', () => {
    expect(() => summary(vgg16(), undefined as never)).toThrow(
      'sequential: summary needs { input: [height, width, channels] }',
    );
  });
});
