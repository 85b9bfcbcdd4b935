// convkit's shufflenet-v1-g4 against the ONNX model zoo's Caffe2 ShuffleNet
// (light_shufflenet.onnx): every convolution's geometry and weight shape, the
// order of every op, the channel shuffles' groups, the pools, and the weight count.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  Activation,
  Add,
  AvgPool2d,
  BatchNorm,
  ChannelShuffle,
  Concat,
  Conv2d,
  Dense,
  GlobalPool2d,
  type Layer,
  MaxPool2d,
  Sequential,
} from '@convkit/layers';
import { hasTestdata, type OnnxGraph, tensorValues, testdataDir, weightShapes } from '@convkit/testdata';
import { describe, expect, it } from 'vitest';
import { graphFloats, leaves, make, onnxLayers, ourLayers, summaryOf, type WeightedLayer } from '../test/models.js';
import { shufflenetModels } from './shufflenet.js';

const v1 = shufflenetModels.find((d) => d.card.name === 'shufflenet-v1-g4') as (typeof shufflenetModels)[number];
const shufflenetOnnx = () => join(testdataDir(), 'onnx-light', 'light_shufflenet.onnx');
const count = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** The ONNX op a leaf or join of ours is; a channel shuffle is the graph's Reshape → Transpose → Reshape. */
function opsOf(layer: Layer): string[] {
  if (layer instanceof Sequential) return layer.children.flatMap(opsOf);
  // The graph lists a join after its branches (Concat(branch, pool), Sum(branch, input)).
  if (layer instanceof Concat) return [...layer.children.flatMap(opsOf), 'Concat'];
  if (layer instanceof Add) return [...layer.children.flatMap(opsOf), 'Sum'];
  if (layer instanceof ChannelShuffle) return ['Reshape', 'Transpose', 'Reshape'];
  if (layer instanceof Conv2d) return ['Conv'];
  if (layer instanceof BatchNorm) return ['BatchNormalization'];
  if (layer instanceof Activation && layer.config.fn === 'relu') return ['Relu'];
  if (layer instanceof MaxPool2d) return ['MaxPool'];
  // The graph's 7×7 average pool, then a Reshape to [1, 544], is our global average pool.
  if (layer instanceof AvgPool2d) return ['AveragePool'];
  if (layer instanceof GlobalPool2d) return ['AveragePool', 'Reshape'];
  if (layer instanceof Dense) return ['Gemm'];
  throw new Error(`no ONNX op for ${layer.type} ${layer.name}`);
}

/** The ops that carry the network (the light graph's ConstantOfShape weights and the final Softmax aside). */
const graphOps = (graph: OnnxGraph) =>
  graph.nodes.map((n) => n.op).filter((op) => op !== 'ConstantOfShape' && op !== 'Softmax');

describe.skipIf(!hasTestdata() || !existsSync(shufflenetOnnx()))(
  'shufflenet-v1-g4 against the ONNX light shufflenet',
  () => {
    it('has the graph’s 49 convolutions (kernel, stride, pad, groups, HWIO weights) and its Gemm, in graph order', () => {
      const { graph, layers } = onnxLayers(shufflenetOnnx());
      const ours = ourLayers(make(v1), v1.card.input);
      expect(layers).toHaveLength(50);
      expect(ours.map((l) => l.op)).toEqual([...Array(49).fill('conv'), 'dense']);
      const kernelsOnly = (ls: WeightedLayer[]) => ls.slice(0, 49).map((l) => ({ ...l, weights: [l.weights[0]] }));
      expect(kernelsOnly(ours)).toEqual(kernelsOnly(layers));
      expect(ours.slice(0, 49).map((l) => l.groups)).toEqual(layers.slice(0, 49).map((l) => l.groups));
      // Only conv3_0 has a bias: a plain initializer in the graph (onnxLayers sees only ConstantOfShape weights).
      const convs = graph.nodes.filter((n) => n.op === 'Conv');
      expect(convs.filter((n) => n.inputs.length === 3).map((n) => n.inputs[2])).toEqual(['gpu_0/conv3_0_b_0']);
      expect(graph.initializers.get('gpu_0/conv3_0_b_0')?.dims).toEqual([24]);
      expect(ours.slice(0, 49).map((l) => l.weights[1] ?? [])).toEqual([[24], ...Array(48).fill([])]);
      expect(ours[49]?.weights).toEqual(layers[49]?.weights);
      expect(ours[49]?.weights).toEqual([[544, 1000], [1000]]);
    });

    it('has every op of the graph in its order: BN, ReLU, shuffle, pools, Concat and Sum joins', () => {
      const { graph } = onnxLayers(shufflenetOnnx());
      expect(opsOf(make(v1))).toEqual(graphOps(graph));
      expect(graphOps(graph).filter((op) => op === 'Concat')).toHaveLength(3);
      expect(graphOps(graph).filter((op) => op === 'Sum')).toHaveLength(13);
    });

    it('shuffles 4 groups, as each shuffle’s first Reshape [1, 4, c/4, h, w] says, on the same maps', () => {
      const { graph } = onnxLayers(shufflenetOnnx());
      const splits = graph.nodes
        .filter((n, k) => n.op === 'Reshape' && graph.nodes[k + 1]?.op === 'Transpose')
        .map((n) => {
          const shape = graph.initializers.get(n.inputs[1] ?? '');
          if (!shape) throw new Error(`Reshape ${n.name}: its shape is not an initializer`);
          return tensorValues(shape);
        });
      expect(graph.nodes.filter((n) => n.op === 'Transpose').map((n) => n.attrs.perm)).toEqual(
        Array(16).fill([0, 2, 1, 3, 4]),
      );
      const shuffles = leaves(make(v1), v1.card.input).filter((l) => l.layer instanceof ChannelShuffle);
      // NHWC [h, w, c] with groups g ↔ NCHW [1, g, c/g, h, w].
      expect(
        shuffles.map(({ layer, input: [h, w, c] }) => {
          const g = (layer as ChannelShuffle).config.groups;
          return [1, g, (c as number) / g, h, w];
        }),
      ).toEqual(splits);
    });

    it('has the graph’s pools: 3×3/2 max pool and 3×3/2 average pools with padding 1, uncounted', () => {
      const { graph } = onnxLayers(shufflenetOnnx());
      const attrs = (op: string) =>
        graph.nodes
          .filter((n) => n.op === op)
          .map((n) => [n.attrs.kernel_shape, n.attrs.strides, n.attrs.pads, n.attrs.count_include_pad ?? 0]);
      const pools = leaves(make(v1), v1.card.input).map((l) => l.layer);
      const ours = (type: typeof MaxPool2d | typeof AvgPool2d) =>
        pools
          .filter((l): l is MaxPool2d | AvgPool2d => l instanceof type)
          .map((l) => {
            const { kernel, stride, padding } = l.config;
            const include = l instanceof AvgPool2d && l.config.countIncludePad ? 1 : 0;
            return [[kernel, kernel], [stride, stride], Array(4).fill(padding), include];
          });
      expect(attrs('MaxPool').map((a) => a.slice(0, 3))).toEqual(ours(MaxPool2d).map((a) => a.slice(0, 3)));
      expect(attrs('AveragePool').slice(0, 3)).toEqual(ours(AvgPool2d));
      // The last is 7×7/1 over the 7×7 map: a global average pool.
      expect(attrs('AveragePool')[3]?.slice(0, 2)).toEqual([
        [7, 7],
        [1, 1],
      ]);
    });

    it('has the manifest’s 1,420,152 floats: 1,393,320 learned weights + 26,832 BatchNorm running statistics', () => {
      const { graph } = onnxLayers(shufflenetOnnx());
      // Each float weight's shape by name: ConstantOfShape-made, or a plain initializer (conv3_0's bias and BatchNorm).
      const sizes = new Map(weightShapes(graph).map((w) => [w.name, w.dims]));
      for (const t of graph.initializers.values()) if (t.dataType === 1) sizes.set(t.name, t.dims);
      const total = graphFloats(graph);
      expect(total).toBe(1_420_152);
      // BatchNormalization(x, scale, B, mean, var): inputs 3 and 4 are running statistics, not learned.
      const stats = graph.nodes
        .filter((n) => n.op === 'BatchNormalization')
        .reduce(
          (a, n) => a + count(sizes.get(n.inputs[3] ?? '') ?? [0]) + count(sizes.get(n.inputs[4] ?? '') ?? [0]),
          0,
        );
      expect(stats).toBe(26_832);
      const s = summaryOf(v1);
      expect(s.totals.trainable).toBe(total - stats);
      expect(s.totals.nonTrainable).toBe(stats);
      expect(s.totals.params).toBe(total);
    });
  },
);
