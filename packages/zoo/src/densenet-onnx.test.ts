// convkit's densenet121 (torchvision's layout) against the authors' Caffe
// DenseNet-121 as the ONNX light graph has it. The graph writes each batch
// norm as Caffe does — a BatchNormalization with a fixed identity affine
// (scale 1, bias 0: Caffe's BatchNorm layer has no γ, β) followed by a Scale
// layer (Mul by γ, Add β, each Unsqueezed to [C, 1, 1]) — and the classifier
// as a 1×1 convolution fc6 after the global average pool.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AvgPool2d, BatchNorm, GlobalPool2d, MaxPool2d } from '@convkit/layers';
import { hasTestdata, tensorValues, testdataDir, weightShapes } from '@convkit/testdata';
import { describe, expect, it } from 'vitest';
import { graphFloats, leaves, make, onnxLayers, ourLayers, summaryOf, type WeightedLayer } from '../test/models.js';
import { densenetModels } from './densenet.js';

const d121 = densenetModels[0] as (typeof densenetModels)[number];
const count = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const densenetOnnx = () => join(testdataDir(), 'onnx-light', 'light_densenet121.onnx');

/** The graph, its weight shapes by name (ConstantOfShape and plain initializers alike), and its nodes of one op. */
function graphOf() {
  const { graph, layers } = onnxLayers(densenetOnnx());
  const dims = new Map(weightShapes(graph).map((w) => [w.name, w.dims]));
  for (const [name, t] of graph.initializers) if (t.dataType === 1) dims.set(name, t.dims);
  const ops = (op: string) => graph.nodes.filter((n) => n.op === op);
  return { graph, layers, dims, ops };
}

describe.skipIf(!hasTestdata() || !existsSync(densenetOnnx()))('densenet121 against the ONNX light densenet121', () => {
  it('has the graph’s 121 convolutions in graph order (kernel, stride, pad, widths); fc6 (1×1 conv) is our Linear', () => {
    const { layers } = graphOf();
    const ours = ourLayers(make(d121), d121.card.input);
    expect(layers).toHaveLength(121);
    expect(ours.map((l) => l.op)).toEqual([...Array(120).fill('conv'), 'dense']);
    // No convolution has a bias, in either: onnxLayers gives [] for the missing input, we give no second weight.
    const convs = (ls: WeightedLayer[]) => ls.slice(0, 120).map((l) => ({ ...l, weights: [l.weights[0]] }));
    expect(convs(ours)).toEqual(convs(layers));
    expect(layers.slice(0, 120).every((l) => (l.weights[1] ?? []).length === 0)).toBe(true);
    // fc6 after GlobalAveragePool: a 1×1 kernel [1, 1, 1024, 1000] (HWIO) is the dense [1024, 1000]; same bias.
    const fc6 = layers[120] as WeightedLayer;
    expect(fc6).toMatchObject({ op: 'conv', kernel: 1, stride: 1, pad: 0, groups: 1 });
    expect(fc6.weights).toEqual([[1, 1, 1024, 1000], [1000]]);
    expect(ours[120]?.weights).toEqual([[1024, 1000], [1000]]);
  });

  it('has the graph’s 121 batch norms in order: same channels and ε, each followed by a Scale (Mul γ, Add β) and a ReLU', () => {
    const { graph, dims, ops } = graphOf();
    const ourBn = leaves(make(d121), d121.card.input).filter((l) => l.layer instanceof BatchNorm);
    const bns = ops('BatchNormalization');
    expect(bns).toHaveLength(121);
    expect(ourBn.map((l) => l.input.at(-1))).toEqual(bns.map((n) => dims.get(n.inputs[1] ?? '')?.[0]));
    for (const n of bns) expect(n.attrs.epsilon as number).toBeCloseTo(1e-5, 10);
    for (const { layer } of ourBn) expect((layer as BatchNorm).config.epsilon ?? 1e-5).toBe(1e-5);
    // Each BN's output goes through Mul then Add then Relu: the Scale layer carries γ and β.
    const consumer = (value: string) => graph.nodes.find((n) => n.inputs.includes(value));
    for (const bn of bns) {
      const mul = consumer(bn.outputs[0] ?? '');
      const add = consumer(mul?.outputs[0] ?? '');
      expect([mul?.op, add?.op, consumer(add?.outputs[0] ?? '')?.op]).toEqual(['Mul', 'Add', 'Relu']);
    }
    // Where the BN's scale and bias survive as plain initializers, they are Caffe's identity: 1 and 0.
    const conv1 = bns[0] as (typeof bns)[number];
    const scale = graph.initializers.get(conv1.inputs[1] ?? '');
    const bias = graph.initializers.get(conv1.inputs[2] ?? '');
    expect(scale && [...new Set(tensorValues(scale))]).toEqual([1]);
    expect(bias && [...new Set(tensorValues(bias))]).toEqual([0]);
  });

  it('has the graph’s pools and concats: max pool 3×3/2 pad 1, three 2×2/2 average pools, 58 dense-layer concats', () => {
    const { ops } = graphOf();
    const ours = leaves(make(d121), d121.card.input).map((l) => l.layer);
    const geometry = (n: { attrs: Record<string, unknown> }) => [n.attrs.kernel_shape, n.attrs.strides, n.attrs.pads];
    expect(ops('MaxPool').map(geometry)).toEqual([
      [
        [3, 3],
        [2, 2],
        [1, 1, 1, 1],
      ],
    ]);
    const max = ours.filter((l): l is MaxPool2d => l instanceof MaxPool2d).map((p) => p.config);
    expect(max).toEqual([expect.objectContaining({ kernel: 3, stride: 2, padding: 1 })]);
    expect(ops('AveragePool').map(geometry)).toEqual(
      Array(3).fill([
        [2, 2],
        [2, 2],
        [0, 0, 0, 0],
      ]),
    );
    const avg = ours
      .filter((l): l is AvgPool2d => l instanceof AvgPool2d)
      .map((p) => [p.config.kernel, p.config.stride]);
    expect(avg).toEqual(Array(3).fill([2, 2]));
    expect(ops('GlobalAveragePool')).toHaveLength(ours.filter((l) => l instanceof GlobalPool2d).length);
    expect(ops('Concat')).toHaveLength(6 + 12 + 24 + 16);
    expect(ops('Relu')).toHaveLength(121);
  });

  it('has the manifest’s 8,146,152 floats: our 8,062,504 weights plus the identity BN affine (2 × 41,824)', () => {
    const { graph, layers, dims, ops } = graphOf();
    expect(graphFloats(graph)).toBe(8_146_152);
    // Per batch norm of C channels the graph holds 6C floats: BN scale, bias, mean, var and Scale's γ, β.
    // Ours holds 4C: γ, β (trainable, torchvision's count) and the running mean and variance.
    const size = (name: string | undefined) => count(dims.get(name ?? '') ?? [0]);
    const bnInputs = ops('BatchNormalization').map((n) => n.inputs.slice(1).map(size));
    const bnChannels = bnInputs.reduce((a, [c]) => a + (c ?? 0), 0);
    expect(bnChannels).toBe(41_824);
    for (const inputs of bnInputs) expect(new Set(inputs).size).toBe(1);
    const unsqueezed = ops('Unsqueeze').reduce((a, n) => a + size(n.inputs[0]), 0);
    expect(unsqueezed).toBe(2 * bnChannels);
    const weights = layers.flatMap((l) => l.weights).reduce((a, w) => a + (w.length ? count(w) : 0), 0);
    const s = summaryOf(d121).totals;
    expect(s.params).toBe(8_062_504);
    // Convolutions and fc6 (kernels, fc6's bias) + BN's four inputs + Scale's two = the manifest.
    expect(weights + 4 * bnChannels + unsqueezed).toBe(8_146_152);
    expect(s.params + 2 * bnChannels).toBe(8_146_152);
    expect(s.trainable).toBe(weights + unsqueezed);
  });
});
