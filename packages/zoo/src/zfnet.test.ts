import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Sequential, summary } from '@convkit/layers';
import { hasTestdata, testdataDir } from '@convkit/testdata';

import { describe, expect, it } from 'vitest';
import { expectSameOrderLrnAndPools, make, onnxLayers, ourLayers, summaryOf } from '../test/models.js';
import { zfnet, zfnet512, zfnetModels } from './zfnet.js';

describe('zfnet (Zeiler & Fergus 2014, Fig. 3)', () => {
  it('has 62,357,608 parameters at 224×224×3', () => {
    const s = summaryOf(zfnet);
    expect(s.totals.params).toBe(62_357_608);
    expect(s.output).toEqual([1000]);
    expect(s.totals.macs).toBe(1_168_032_896);
  });

  it("has the figure's maps 110, 55, 26, 13, 13, 13, 6", () => {
    const rows = summaryOf(zfnet).rows;
    const shape = (name: string) => rows.find((r) => r.name === name)?.outputShape;
    expect(shape('conv1')).toEqual([110, 110, 96]);
    expect(shape('maxPool2d1')).toEqual([55, 55, 96]);
    expect(shape('conv2')).toEqual([26, 26, 256]);
    expect(shape('maxPool2d2')).toEqual([13, 13, 256]);
    expect(shape('conv3')).toEqual([13, 13, 384]);
    expect(shape('conv4')).toEqual([13, 13, 384]);
    expect(shape('conv5')).toEqual([13, 13, 256]);
    expect(shape('maxPool2d3')).toEqual([6, 6, 256]);
  });

  it('works down to 63×63, as its card says', () => {
    expect(summaryOf(zfnet, [63, 63, 3]).output).toEqual([1000]);
    expect(() => summaryOf(zfnet, [62, 62, 3])).toThrow();
    expect(zfnet.card.inputs).toMatch(/63×63/);
  });
});

describe('zfnet-512', () => {
  it('has 87,250,536 parameters at 224×224×3', () => {
    const s = summaryOf(zfnet512);
    expect(s.totals.params).toBe(87_250_536);
    expect(s.totals.macs).toBe(1_481_727_008);
    expect(s.rows.find((r) => r.name === 'flatten1')?.outputShape).toEqual([18432]);
  });

  it('works down to 59×59, as its card says', () => {
    expect(summaryOf(zfnet512, [59, 59, 3]).output).toEqual([1000]);
    expect(() => summaryOf(zfnet512, [58, 58, 3])).toThrow();
    expect(summary(make(zfnet512, [224, 224, 3], 10), { input: [224, 224, 3] }).output).toEqual([10]);
  });

  it('exports both with cards', () => {
    expect(zfnetModels.map((d) => d.card.name)).toEqual(['zfnet', 'zfnet-512']);
    for (const def of zfnetModels) expect(def.card.paper.year).toBe(2014);
  });
});

const zfnetOnnx = () => join(testdataDir(), 'onnx-light', 'light_zfnet512.onnx');

describe.skipIf(!hasTestdata() || !existsSync(zfnetOnnx()))('zfnet-512 against the ONNX light zfnet512', () => {
  it('has the same convolutions and dense layers with the same weight shapes, in order', () => {
    const { layers } = onnxLayers(zfnetOnnx());
    expect(ourLayers(make(zfnet512), zfnet512.card.input)).toEqual(layers);
    const sizes = layers.flatMap((l) => l.weights.map((w) => w.reduce((a, b) => a * b, 1)));
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(87_250_536);
  });

  it('has the LRN parameters, pools and layer order of the graph', () => {
    const { graph } = onnxLayers(zfnetOnnx());
    const model = make(zfnet512) as Sequential;
    expectSameOrderLrnAndPools(model, graph);
    const onnxPools = graph.nodes.filter((n) => n.op === 'MaxPool');
    expect(onnxPools.every((n) => (n.attrs.pads as number[]).every((p) => p === 0))).toBe(true);
  });

  it('differs from the paper-shaped zfnet only in widths, paddings, pools and LRN placement', () => {
    const ours = ourLayers(make(zfnet), zfnet.card.input);
    const graph = onnxLayers(zfnetOnnx()).layers;
    expect(ours.map((l) => [l.kernel, l.stride])).toEqual(graph.map((l) => [l.kernel, l.stride]));
  });
});
