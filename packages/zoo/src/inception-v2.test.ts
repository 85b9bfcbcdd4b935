import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  Activation,
  AvgPool2d,
  BatchNorm,
  Concat,
  Conv2d,
  Dense,
  GlobalPool2d,
  type Layer,
  MaxPool2d,
  Sequential,
  summary,
} from '@convkit/layers';
import { hasTestdata, testdataDir } from '@convkit/testdata';
import { describe, expect, it } from 'vitest';
import { make, onnxLayers, type WeightedLayer } from '../test/models.js';
import { bnInception, bnInceptionDefinition, bnInceptionTable, inceptionV2Models } from './inception-v2.js';

const count = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

interface Pool {
  op: 'MaxPool' | 'AveragePool';
  kernel: number;
  stride: number;
  /** ONNX order: [top, left, bottom, right]. */
  pads: number[];
}

interface Walk {
  layers: WeightedLayer[];
  pools: Pool[];
  /** Per Concat, its number of branches. */
  concats: number[];
  trainable: number;
  nonTrainable: number;
  /** Per convolution: the next two layers of its Sequential ("BatchNorm(1e-05) relu"). */
  afterConv: string[];
}

const pair = (p: unknown): [number, number] => (typeof p === 'number' ? [p, p] : (p as [number, number]));
const onnxPads = (padding: unknown): number[] => {
  const [ph, pw] = Array.isArray(padding) ? padding : [padding, padding];
  const [t, b] = pair(ph);
  const [l, r] = pair(pw);
  return [t, l, b, r];
};

/**
 * The convolutions, dense layers and pools of a tree of Sequential and
 * Concat, in graph order (a Concat's branches one after another, each from
 * the Concat's input), with the output shape computed here: a Concat joins
 * its branches' outputs on channels (the stride-2 modules 3c and 4e halve
 * the map in every branch).
 */
function walk(layer: Layer, input: number[], acc: Walk): number[] {
  if (layer instanceof Sequential) {
    let shape = input;
    layer.children.forEach((child, k) => {
      if (child instanceof Conv2d) {
        const next = layer.children.slice(k + 1, k + 3);
        acc.afterConv.push(
          next
            .map((l) =>
              l instanceof BatchNorm
                ? `BatchNorm(${l.config.epsilon})`
                : l instanceof Activation
                  ? l.config.fn
                  : l.type,
            )
            .join(' '),
        );
      }
      shape = walk(child, shape, acc);
    });
    return shape;
  }
  if (layer instanceof Concat) {
    acc.concats.push(layer.children.length);
    const outputs = layer.children.map((branch) => walk(branch, input, acc));
    const [h, w] = outputs[0] ?? [];
    for (const o of outputs) expect([o[0], o[1]], layer.name).toEqual([h, w]);
    return [h as number, w as number, outputs.reduce((c, o) => c + (o[2] as number), 0)];
  }
  const specs = layer.weightSpecs(input);
  for (const s of specs) {
    if (s.trainable) acc.trainable += count(s.shape);
    else acc.nonTrainable += count(s.shape);
  }
  if (layer instanceof Conv2d) {
    const { kernel, stride = 1, groups = 1, padding = 0 } = layer.config;
    acc.layers.push({
      op: 'conv',
      kernel: kernel as number,
      stride: stride as number,
      groups,
      pad: padding as number,
      weights: specs.map((w) => w.shape),
    });
  } else if (layer instanceof Dense) {
    acc.layers.push({ op: 'dense', weights: specs.map((w) => w.shape) });
  } else if (layer instanceof MaxPool2d || layer instanceof AvgPool2d) {
    const { kernel, stride = kernel, padding = 0 } = layer.config;
    acc.pools.push({
      op: layer instanceof MaxPool2d ? 'MaxPool' : 'AveragePool',
      kernel: kernel as number,
      stride: stride as number,
      pads: onnxPads(padding),
    });
  } else if (layer instanceof GlobalPool2d) {
    return [input[2] as number];
  }
  return layer.outputShape(input);
}

const walked = (model: Layer = bnInception(), input = [224, 224, 3]) => {
  const acc: Walk = { layers: [], pools: [], concats: [], trainable: 0, nonTrainable: 0, afterConv: [] };
  const output = walk(model, input, acc);
  return { ...acc, output };
};

describe('inception-v2 (BN-Inception)', () => {
  it('has 69 convolutions with BatchNorm and ReLU, 10 modules, and outputs [1000] at 224', () => {
    const w = walked();
    expect(w.output).toEqual([1000]);
    expect(w.layers.filter((l) => l.op === 'conv')).toHaveLength(69);
    expect(w.layers.filter((l) => l.op === 'dense')).toHaveLength(1);
    expect(new Set(w.afterConv)).toEqual(new Set(['BatchNorm(0.00001) relu']));
    expect(w.concats).toEqual(bnInceptionTable.map((r) => (r.pool === 'pass' ? 3 : 4)));
    expect(walked(bnInception({ numClasses: 10 })).output).toEqual([10]);
  });

  it('has 11,194,984 trainable parameters and 19,904 running statistics', () => {
    const w = walked();
    expect(w.trainable).toBe(11_194_984);
    expect(w.nonTrainable).toBe(19_904);
  });

  it('the definition builds it', () => {
    expect(inceptionV2Models.map((d) => d.card.name)).toEqual(['inception-v2']);
    expect(bnInceptionDefinition.card.paper.year).toBe(2015);
    expect(walked(make(bnInceptionDefinition)).trainable).toBe(11_194_984);
    for (const side of [31, 38, 63, 230]) expect(walked(bnInception(), [side, side, 3]).output).toEqual([1000]);
    for (const side of [30, 39, 62, 231]) expect(() => walked(bnInception(), [side, side, 3])).toThrow();
    expect(bnInceptionDefinition.card.inputs).toMatch(/31–38, 63–70/);
  });

  it('summary() traces it, through the stride-2 modules 3c and 4e', () => {
    const s = summary(bnInception(), { input: [224, 224, 3] });
    expect(s.output).toEqual([1000]);
    expect(s.totals.trainable).toBe(11_194_984);
  });
});

const v2Onnx = () => join(testdataDir(), 'onnx-light', 'light_inception_v2.onnx');

describe.skipIf(!hasTestdata() || !existsSync(v2Onnx()))('inception-v2 against the ONNX light inception_v2', () => {
  it('has the same convolutions and classifier, in graph order: kernels, strides, pads, widths', () => {
    const { layers } = onnxLayers(v2Onnx());
    const ours = walked().layers;
    expect(ours).toHaveLength(70);
    // The graph's convolutions have no bias; its classifier is a Gemm whose weight goes through a node, so
    // onnxLayers only sees the bias there. Compare convolutions whole, the classifier by its bias.
    const convs = (ls: WeightedLayer[]) => ls.filter((l) => l.op === 'conv');
    expect(convs(layers).every((l) => (l.weights[1] ?? []).length === 0)).toBe(true);
    expect(convs(ours).map((l) => ({ ...l, weights: [...l.weights, []] }))).toEqual(convs(layers));
    expect(ours.at(-1)?.weights).toEqual([[1024, 1000], [1000]]);
    expect(layers.at(-1)?.weights[1]).toEqual([1000]);
  });

  it('has the graph’s pools (type, kernel, stride, pads) and BatchNorm after every convolution', () => {
    const { graph } = onnxLayers(v2Onnx());
    const pools = graph.nodes
      .filter((n) => n.op === 'MaxPool' || n.op === 'AveragePool')
      .map((n) => ({
        op: n.op,
        kernel: (n.attrs.kernel_shape as number[])[0],
        stride: (n.attrs.strides as number[])[0],
        pads: n.attrs.pads,
        countIncludePad: n.attrs.count_include_pad ?? 0,
        ceil: n.attrs.ceil_mode ?? 0,
      }));
    // The last is the 7×7 average pool, global here.
    expect(pools.at(-1)).toMatchObject({ op: 'AveragePool', kernel: 7, stride: 1, pads: [0, 0, 0, 0] });
    expect(pools.every((p) => p.countIncludePad === 0 && p.ceil === 0)).toBe(true);
    expect(walked().pools).toEqual(
      pools.slice(0, -1).map(({ op, kernel, stride, pads }) => ({ op, kernel, stride, pads })),
    );
    const consumers = graph.nodes
      .filter((n) => n.op === 'Conv')
      .map((conv) => graph.nodes.find((n) => n.inputs[0] === conv.outputs[0]));
    expect(consumers.map((n) => n?.op)).toEqual(Array(69).fill('BatchNormalization'));
    for (const n of consumers) expect(n?.attrs.epsilon as number).toBeCloseTo(1e-5, 9);
    expect(graph.nodes.filter((n) => n.op === 'Concat').map((n) => n.inputs.length)).toEqual(walked().concats);
  });

  it('accounts for the graph’s 11,234,792 floats: ours + the Caffe Scale layer’s second affine', () => {
    const { graph, layers } = onnxLayers(v2Onnx());
    const convs = layers.filter((l) => l.op === 'conv');
    const kernels = convs.reduce((a, l) => a + count(l.weights[0] ?? []), 0);
    const channels = convs.reduce((a, l) => a + (l.weights[0]?.[3] ?? 0), 0);
    expect([kernels, channels]).toEqual([10_150_080, 9_952]);
    // Per channel the graph has BatchNormalization's scale, bias, mean, var and the Scale layer's Mul and Add.
    const bnInputs = graph.nodes.filter((n) => n.op === 'BatchNormalization').flatMap((n) => n.inputs.slice(1));
    expect(bnInputs).toHaveLength(4 * 69);
    const classifier = 1024 * 1000 + 1000;
    expect(kernels + classifier + 6 * channels).toBe(11_234_792);
    // Ours: conv kernels, classifier and one γ, β per channel trainable; running mean and variance not.
    const w = walked();
    expect(w.trainable).toBe(kernels + classifier + 2 * channels);
    expect(w.nonTrainable).toBe(2 * channels);
    expect(w.trainable + w.nonTrainable + 2 * channels).toBe(11_234_792);
  });
});
