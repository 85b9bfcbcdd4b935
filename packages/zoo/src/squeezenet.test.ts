import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Conv2d, Dropout, MaxPool2d, summary } from '@convkit/layers';
import { hasTestdata, testdataDir } from '@convkit/testdata';
import { describe, expect, it } from 'vitest';
import { graphFloats, leaves, make, onnxLayers, ourLayers, summaryOf, type WeightedLayer } from '../test/models.js';
import { type SqueezeVersion, squeezenet, squeezenetCfgs, squeezenetModels } from './squeezenet.js';

const def = (name: string) => {
  const found = squeezenetModels.find((d) => d.card.name === name);
  if (!found) throw new Error(`${name} is not among squeezenetModels`);
  return found;
};

/**
 * Plain-loop oracle from the table alone: [weights + biases, MACs] of every
 * convolution at side `n`, with the output-size formula written out
 * (conv1 valid stride 2, pools ceil((n − 3)/2) + 1, fires keep the side).
 */
function byHand(version: SqueezeVersion, n: number, classes = 1000): [number, number] {
  const { conv1, features } = squeezenetCfgs[version];
  const [f1, k1] = conv1;
  let side = Math.floor((n - k1) / 2) + 1;
  let channels = f1;
  let params = k1 * k1 * 3 * f1 + f1;
  let macs = side * side * k1 * k1 * 3 * f1;
  const conv = (k: number, cin: number, cout: number) => {
    params += k * k * cin * cout + cout;
    macs += side * side * k * k * cin * cout;
  };
  for (const entry of features) {
    if (entry === 'M') side = Math.ceil((side - 3) / 2) + 1;
    else {
      const [s, e1, e3] = entry;
      conv(1, channels, s);
      conv(1, s, e1);
      conv(3, s, e3);
      channels = e1 + e3;
    }
  }
  conv(1, channels, classes);
  return [params, macs];
}

describe('squeezenet (torchvision 0.14 counts)', () => {
  it('has torchvision’s 1,248,424 (1.0) and 1,235,496 (1.1) parameters at 1000 classes, as the table gives by hand', () => {
    for (const [name, params] of [
      ['squeezenet-1.0', 1_248_424],
      ['squeezenet-1.1', 1_235_496],
    ] as const) {
      const s = summaryOf(def(name));
      expect(s.totals.params, name).toBe(params);
      expect(s.totals.trainable, name).toBe(params);
      expect(s.output).toEqual([1000]);
    }
    expect(byHand('1.0', 224)[0]).toBe(1_248_424);
    expect(byHand('1.1', 224)[0]).toBe(1_235_496);
  });

  it('has 818,924,576 and 349,151,936 MACs at 224 (torchvision prints 0.82 and 0.35 GFLOPS): v1.1 needs 2.35× fewer', () => {
    const macs = (name: string) => summaryOf(def(name)).totals.macs;
    expect(macs('squeezenet-1.0')).toBe(818_924_576);
    expect(macs('squeezenet-1.1')).toBe(349_151_936);
    expect(byHand('1.0', 224)[1]).toBe(818_924_576);
    expect(byHand('1.1', 224)[1]).toBe(349_151_936);
    expect((macs('squeezenet-1.0') / 1e9).toFixed(2)).toBe('0.82');
    expect((macs('squeezenet-1.1') / 1e9).toFixed(2)).toBe('0.35');
    // The repository's "2.4x less computation".
    expect(macs('squeezenet-1.0') / macs('squeezenet-1.1')).toBeCloseTo(2.35, 2);
  });

  it('has the paper’s map sizes: 1.0 109 → 54 → 27 → 13 (ceil-mode pools), 1.1 111 → 55 → 27 → 13', () => {
    const sides = (name: string) =>
      summaryOf(def(name))
        .rows.filter((r) => r.type === 'pool' || r.name === 'features/0')
        .map((r) => r.outputShape[0]);
    expect(sides('squeezenet-1.0')).toEqual([109, 54, 27, 13]);
    expect(sides('squeezenet-1.1')).toEqual([111, 55, 27, 13]);
    const rows = summaryOf(def('squeezenet-1.0')).rows;
    expect(rows.find((r) => r.name === 'features/12/expand')?.outputShape).toEqual([13, 13, 512]);
  });

  it('takes numClasses and inputs down to 29×29 (1.0) and 25×25 (1.1), as the cards say', () => {
    for (const [name, min] of [
      ['squeezenet-1.0', 29],
      ['squeezenet-1.1', 25],
    ] as const) {
      const d = def(name);
      expect(summary(make(d, [224, 224, 3], 10), { input: [224, 224, 3] }).output).toEqual([10]);
      expect(summaryOf(d, [min, min, 3]).totals.params).toBe(summaryOf(d).totals.params);
      expect(() => make(d, [min - 1, min - 1, 3])).toThrow(new RegExp(`at least a ${min}×${min} input, received`));
      expect(d.card.inputs).toContain(`${min}×${min}`);
    }
    expect(summaryOf(def('squeezenet-1.1'), [96, 96, 3]).totals.params).toBe(byHand('1.1', 96)[0]);
    expect(summaryOf(def('squeezenet-1.1'), [96, 96, 3]).totals.macs).toBe(byHand('1.1', 96)[1]);
  });

  it('reports the paper’s 57.5 % / 80.3 % (1.0) and torchvision’s 58.178 % / 80.624 % (1.1) top-1 / top-5 accuracy as errors', () => {
    const reported = (name: string) => def(name).card.reported?.map((r) => [r.metric, r.value]);
    expect(reported('squeezenet-1.0')).toEqual([
      ['top-1 error', 42.5],
      ['top-5 error', 19.7],
    ]);
    expect(reported('squeezenet-1.1')).toEqual([
      ['top-1 error', 41.822],
      ['top-5 error', 19.376],
    ]);
  });

  it('names its weights as torchvision’s state_dict keys (dots as slashes)', () => {
    const model = squeezenet('1.1', { input: [224, 224, 3], numClasses: 1000 });
    const names = leaves(model, [224, 224, 3]).flatMap(({ layer, input }) =>
      layer.weightSpecs(input).map((w) => `${layer.name}/${w.name}`),
    );
    expect(names.slice(0, 4)).toEqual([
      'features/0/kernel',
      'features/0/bias',
      'features/3/squeeze/kernel',
      'features/3/squeeze/bias',
    ]);
    expect(names.slice(-2)).toEqual(['classifier/1/kernel', 'classifier/1/bias']);
    expect(names).toHaveLength(2 * 26);
  });
});

const squeezeOnnx = () => join(testdataDir(), 'onnx-light', 'light_squeezenet.onnx');

describe.skipIf(!hasTestdata() || !existsSync(squeezeOnnx()))(
  'squeezenet-1.1 against the ONNX light squeezenet',
  () => {
    const v11 = def('squeezenet-1.1');

    it('has the graph’s 26 convolutions (kernel, stride, pad, widths) in graph order: squeeze, expand1x1, expand3x3 per fire', () => {
      const { layers } = onnxLayers(squeezeOnnx());
      const ours = ourLayers(make(v11), v11.card.input);
      expect(ours).toHaveLength(26);
      expect(ours.every((l) => l.op === 'conv')).toBe(true);
      // Kernels are all ConstantOfShape; of the biases, onnxLayers sees those made by ConstantOfShape only.
      const kernelsOnly = (l: WeightedLayer) => ({ ...l, weights: [l.weights[0]] });
      expect(ours.map(kernelsOnly)).toEqual(layers.map(kernelsOnly));
      const hidden: number[] = [];
      for (const [k, l] of layers.entries()) {
        const bias = l.weights[1] ?? [];
        if (bias.length > 0) expect(ours[k]?.weights[1], `layer ${k} bias`).toEqual(bias);
        else hidden.push(k);
      }
      // conv1's, every squeeze's and fire2's and fire3's expand biases are plain initializers.
      expect(hidden).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 10, 13, 16, 19, 22]);
      expect(ours[25]?.weights).toEqual([[1, 1, 512, 1000], [1000]]);
    });

    it('has the manifest’s 1,235,496 weights: kernels and biases, all of the graph’s floats', () => {
      expect(graphFloats(onnxLayers(squeezeOnnx()).graph)).toBe(1_235_496);
      expect(summaryOf(v11).totals.params).toBe(1_235_496);
    });

    it('has the graph’s pools, ReLUs, concats and dropout', () => {
      const { graph } = onnxLayers(squeezeOnnx());
      const ops = (op: string) => graph.nodes.filter((n) => n.op === op);
      const ours = leaves(make(v11), v11.card.input);
      const pools = ours.filter((l) => l.layer instanceof MaxPool2d);
      expect(ops('MaxPool').map((n) => [n.attrs.kernel_shape, n.attrs.strides, n.attrs.pads])).toEqual(
        Array(3).fill([
          [3, 3],
          [2, 2],
          [0, 0, 0, 0],
        ]),
      );
      expect(
        pools.map(({ layer }) => [(layer as MaxPool2d).config.kernel, (layer as MaxPool2d).config.stride]),
      ).toEqual(Array(3).fill([3, 2]));
      // The graph rounds down, torchvision (ours) up: at 224 every pool's (n − 3)/2 is whole (111, 55, 27), so both agree.
      expect(pools.map(({ input }) => input[0])).toEqual([111, 55, 27]);
      for (const { input } of pools) expect(((input[0] as number) - 3) % 2).toBe(0);
      // Every convolution is followed by a ReLU (fused in ours); one Concat per fire; dropout 0.5 before conv10.
      const convs = ours.filter((l) => l.layer instanceof Conv2d);
      expect(convs.every((l) => (l.layer as Conv2d).config.activation === 'relu')).toBe(true);
      expect(ops('Relu')).toHaveLength(convs.length);
      expect(ops('Concat')).toHaveLength(squeezenetCfgs['1.1'].features.filter((e) => e !== 'M').length);
      const dropout = ours.find((l) => l.layer instanceof Dropout)?.layer as Dropout;
      expect(dropout.config.rate).toBe(ops('Dropout')[0]?.attrs.ratio);
      expect(ops('GlobalAveragePool')).toHaveLength(1);
    });
  },
);
