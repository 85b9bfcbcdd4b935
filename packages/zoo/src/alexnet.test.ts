import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend } from '@convkit/backend';
import { type Sequential, summary } from '@convkit/layers';
import { hasTestdata, testdataDir } from '@convkit/testdata';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectSameOrderLrnAndPools, make, onnxLayers, ourLayers, summaryOf } from '../test/models.js';
import { alexnet, alexnetModels, alexnetTorchvision } from './alexnet.js';

describe('alexnet (Caffe bvlc_alexnet)', () => {
  it('has 60,965,224 parameters at 227×227×3', () => {
    const s = summaryOf(alexnet);
    expect(s.totals.params).toBe(60_965_224);
    expect(s.totals.trainable).toBe(60_965_224);
    expect(s.output).toEqual([1000]);
    expect(s.totals.macs).toBe(724_406_816);
  });

  it('has the maps 55 → 27 → 27 → 13 → 13 → 13 → 13 → 6 at 227', () => {
    const rows = summaryOf(alexnet).rows;
    const side = (name: string) => rows.find((r) => r.name === name)?.outputShape;
    expect(side('conv1')).toEqual([55, 55, 96]);
    expect(side('maxPool2d1')).toEqual([27, 27, 96]);
    expect(side('conv2')).toEqual([27, 27, 256]);
    expect(side('maxPool2d2')).toEqual([13, 13, 256]);
    expect(side('conv3')).toEqual([13, 13, 384]);
    expect(side('conv4')).toEqual([13, 13, 384]);
    expect(side('conv5')).toEqual([13, 13, 256]);
    expect(side('maxPool2d3')).toEqual([6, 6, 256]);
    expect(side('flatten1')).toEqual([9216]);
  });

  it('takes numClasses and inputs down to 55×55, as its card says', () => {
    expect(summary(make(alexnet, [227, 227, 3], 10), { input: [227, 227, 3] }).output).toEqual([10]);
    expect(summaryOf(alexnet, [55, 55, 3]).rows.find((r) => r.name === 'flatten1')?.outputShape).toEqual([256]);
    expect(() => summaryOf(alexnet, [54, 54, 3])).toThrow();
    for (const side of [199, 224, 230]) {
      expect(summaryOf(alexnet, [side, side, 3]).totals.params).toBe(60_965_224);
    }
    expect(summaryOf(alexnet, [231, 231, 3]).totals.params).not.toBe(60_965_224);
    expect(alexnet.card.inputs).toMatch(/55×55/);
  });
});

describe('alexnet-torchvision', () => {
  it('has 61,100,840 parameters and 714,188,480 MACs at 224×224×3', () => {
    const s = summaryOf(alexnetTorchvision);
    expect(s.totals.params).toBe(61_100_840);
    expect(s.totals.macs).toBe(714_188_480);
    expect((s.totals.macs / 1e9).toFixed(3)).toBe('0.714');
    expect(s.rows.find((r) => r.name === 'conv1')?.outputShape).toEqual([55, 55, 64]);
    expect(s.rows.find((r) => r.name === 'flatten1')?.outputShape).toEqual([9216]);
  });

  it('average-pools a 12×12 map to 6×6 as the adaptive pool does, and works down to 63×63', () => {
    const big = summaryOf(alexnetTorchvision, [440, 440, 3]);
    expect(big.rows.find((r) => r.name === 'avgpool')?.outputShape).toEqual([6, 6, 256]);
    expect(big.totals.params).toBe(61_100_840);
    expect(summaryOf(alexnetTorchvision, [63, 63, 3]).output).toEqual([1000]);
    expect(() => summaryOf(alexnetTorchvision, [62, 62, 3])).toThrow();
  });

  it('runs forward on the cpu backend (batch 1, 63×63)', async () => {
    await initBackend('cpu');
    const model = make(alexnetTorchvision, [63, 63, 3]);
    model.build([63, 63, 3], { seed: 1 });
    const y = tf.tidy(() => model.apply(tf.ones([1, 63, 63, 3])));
    expect(y.shape).toEqual([1, 1000]);
    expect(Number.isFinite((await y.data())[0])).toBe(true);
    y.dispose();
    model.dispose();
  });
});

describe('the definitions', () => {
  it('export both with cards', () => {
    expect(alexnetModels.map((d) => d.card.name)).toEqual(['alexnet', 'alexnet-torchvision']);
    for (const def of alexnetModels) {
      expect(def.card.deviations.length).toBeGreaterThan(0);
      expect(def.card.paper.year).toBe(2012);
    }
  });
});

const alexnetOnnx = () => join(testdataDir(), 'onnx-light', 'light_bvlc_alexnet.onnx');

describe.skipIf(!hasTestdata() || !existsSync(alexnetOnnx()))('alexnet against the ONNX light bvlc_alexnet', () => {
  it('has the same convolutions and dense layers with the same weight shapes, in order', () => {
    const { layers } = onnxLayers(alexnetOnnx());
    // The graph takes 224 with a padded pool5; at our 227 every weight shape (fc6's 9216 too) is the same.
    expect(ourLayers(make(alexnet), alexnet.card.input)).toEqual(layers);
    const sizes = layers.flatMap((l) => l.weights.map((w) => w.reduce((a, b) => a * b, 1)));
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(60_965_224);
  });

  it('has the LRN parameters and the layer order of the graph', () => {
    const { graph } = onnxLayers(alexnetOnnx());
    const model = make(alexnet) as Sequential;
    expectSameOrderLrnAndPools(model, graph);
  });
});
