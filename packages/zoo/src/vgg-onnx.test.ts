import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { hasTestdata, testdataDir } from '@convkit/testdata';
import { describe, expect, it } from 'vitest';
import { make, onnxLayers, ourLayers, summaryOf, type WeightedLayer } from '../test/models.js';
import { vggModels } from './vgg.js';

const count = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const vgg19Onnx = () => join(testdataDir(), 'onnx-light', 'light_vgg19.onnx');

describe.skipIf(!hasTestdata() || !existsSync(vgg19Onnx()))('vgg-e against the ONNX light vgg19', () => {
  const def = vggModels.find((d) => d.card.name === 'vgg-e');
  if (!def) throw new Error('vgg-e is not among vggModels');

  it('has the same 16 convolutions (kernel, stride, pad, widths) and 3 dense layers, in graph order', () => {
    const { layers } = onnxLayers(vgg19Onnx());
    const ours = ourLayers(make(def), def.card.input);
    expect(ours.map((l) => l.op)).toEqual([...Array(16).fill('conv'), 'dense', 'dense', 'dense']);
    expect(layers.map((l) => l.op)).toEqual(ours.map((l) => l.op));
    // Kernels: every one is visible (ConstantOfShape). Biases: onnxLayers sees those made by ConstantOfShape;
    // conv1_1's and conv1_2's are plain initializers ([] here).
    const kernelsOnly = (l: WeightedLayer) => ({ ...l, weights: [l.weights[0]] });
    expect(ours.filter((l) => l.op === 'conv').map(kernelsOnly)).toEqual(
      layers.filter((l) => l.op === 'conv').map(kernelsOnly),
    );
    const hidden: number[] = [];
    for (const [k, l] of layers.entries()) {
      const bias = l.weights[1] ?? [];
      if (bias.length > 0) expect(ours[k]?.weights[1], `layer ${k} bias`).toEqual(bias);
      else hidden.push(k);
    }
    expect(hidden).toEqual([0, 1]);
    // Dense [in, out]: the graph shows all three Gemm weights (transB), biases included.
    const dense = (ls: WeightedLayer[]) => ls.filter((l) => l.op === 'dense').map((l) => l.weights);
    expect(dense(ours)).toEqual(dense(layers));
    expect(ours.filter((l) => l.op === 'dense').map((l) => l.weights[0])).toEqual([
      [25_088, 4096],
      [4096, 4096],
      [4096, 1000],
    ]);
  });

  it('has the graph’s five 2×2/2 max pools', () => {
    const { graph } = onnxLayers(vgg19Onnx());
    const pools = graph.nodes.filter((n) => n.op === 'MaxPool');
    expect(pools.map((n) => [n.attrs.kernel_shape, n.attrs.strides, n.attrs.pads ?? [0, 0, 0, 0]])).toEqual(
      Array(5).fill([
        [2, 2],
        [2, 2],
        [0, 0, 0, 0],
      ]),
    );
  });

  it('has the manifest’s 143,667,240 parameters: the graph’s kernels and biases add up to ours', () => {
    const { graph, layers } = onnxLayers(vgg19Onnx());
    // Every weight element, whether a ConstantOfShape (onnxLayers) or a plain float initializer (the two hidden biases).
    const viaConstantOfShape = layers.flatMap((l) => l.weights).reduce((a, w) => a + (w.length ? count(w) : 0), 0);
    const initializers = [...graph.initializers.values()]
      .filter((t) => t.dataType === 1)
      .reduce((a, t) => a + count(t.dims), 0);
    expect(viaConstantOfShape + initializers).toBe(143_667_240);
    expect(summaryOf(def).totals.params).toBe(143_667_240);
    expect(summaryOf(def).totals.trainable).toBe(143_667_240);
  });
});
