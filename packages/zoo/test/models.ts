// Shared by the zoo's model tests: build a model from its definition, and
// list its weighted layers to compare with an ONNX light graph.
import { readFileSync } from 'node:fs';
import { Conv2d, Dense, type Layer, LocalResponseNorm, MaxPool2d, Sequential, summary } from '@convkit/layers';
import { decodeGraph, weightShapes } from '@convkit/testdata';
import { expect } from 'vitest';
import type { ModelDefinition } from '../src/registry.js';

export const make = (def: ModelDefinition, input = def.card.input, numClasses = def.card.numClasses) =>
  def.build({ numClasses, input, auxLogits: false });
export const summaryOf = (def: ModelDefinition, input = def.card.input) => summary(make(def, input), { input });

export interface WeightedLayer {
  op: string;
  kernel?: number;
  stride?: number;
  groups?: number;
  pad?: number;
  weights: number[][];
}

/** A leaf layer of a model and the shape it receives. */
export interface Leaf {
  layer: Layer;
  input: number[];
}

/**
 * Every leaf layer in graph order, with its input shape: a Sequential chains
 * its children; any other container (a concat, an add) gives each branch the
 * container's input, branch after branch, as an ONNX graph lists them.
 */
export function leaves(layer: Layer, input: number[], out: Leaf[] = []): Leaf[] {
  if (layer instanceof Sequential) {
    let shape = input;
    for (const child of layer.children) {
      leaves(child, shape, out);
      shape = child.outputShape(shape);
    }
  } else if (layer.children && layer.children.length > 0) {
    for (const branch of layer.children) leaves(branch, input, out);
  } else out.push({ layer, input });
  return out;
}

/** Per weighted layer (conv / dense) of a model, branches included: its geometry and weight shapes (HWIO, [in, out]), no weight allocated. */
export function ourLayers(model: Layer, input: number[]) {
  if (!(model instanceof Sequential)) throw new Error('expected a sequential model');
  return leaves(model, input).flatMap(({ layer, input: shape }): WeightedLayer[] => {
    const weights = layer.weightSpecs(shape).map((w) => w.shape);
    if (layer instanceof Conv2d) {
      const { kernel, stride = 1, groups = 1, padding = 0 } = layer.config;
      return [
        { op: 'conv', kernel: kernel as number, stride: stride as number, groups, pad: padding as number, weights },
      ];
    }
    return layer instanceof Dense ? [{ op: 'dense', weights }] : [];
  });
}

/** The same from an ONNX light graph: OIHW → HWIO, Gemm [out, in] (transB) → [in, out]. */
export function onnxLayers(file: string) {
  const graph = decodeGraph(readFileSync(file));
  const dims = new Map(weightShapes(graph).map((w) => [w.name, w.dims]));
  const weightOf = (name: string | undefined) => dims.get(name ?? '') ?? [];
  const layers = graph.nodes.flatMap((node): WeightedLayer[] => {
    if (node.op === 'Conv') {
      const [o, i, kh, kw] = weightOf(node.inputs[1]);
      const pads = node.attrs.pads as number[];
      expect(new Set(pads).size, 'symmetric padding').toBe(1);
      return [
        {
          op: 'conv',
          kernel: (node.attrs.kernel_shape as number[])[0] as number,
          stride: (node.attrs.strides as number[])[0] as number,
          groups: (node.attrs.group as number | undefined) ?? 1,
          pad: pads[0] as number,
          weights: [[kh, kw, i, o] as number[], weightOf(node.inputs[2])],
        },
      ];
    }
    if (node.op === 'Gemm') {
      expect(node.attrs.transB).toBe(1);
      const [o, i] = weightOf(node.inputs[1]);
      return [{ op: 'dense', weights: [[i, o] as number[], weightOf(node.inputs[2])] }];
    }
    return [];
  });
  return { graph, layers };
}

/** Every float weight element of a light graph: the ConstantOfShape weights and the plain float initializers (the manifest's count). */
export function graphFloats(graph: ReturnType<typeof decodeGraph>): number {
  const count = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);
  const constants = weightShapes(graph).reduce((a, w) => a + count(w.dims), 0);
  const initializers = [...graph.initializers.values()].filter((t) => t.dataType === 1);
  return constants + initializers.reduce((a, t) => a + count(t.dims), 0);
}

/**
 * A sequential model and an ONNX light graph agree on their LRN settings,
 * the order of their Conv / Gemm / LRN / MaxPool layers, and pool kernels and strides.
 */
export function expectSameOrderLrnAndPools(model: Sequential, graph: ReturnType<typeof decodeGraph>): void {
  const lrns = model.children.filter((c): c is LocalResponseNorm => c instanceof LocalResponseNorm);
  const onnxLrn = graph.nodes.filter((n) => n.op === 'LRN');
  expect(lrns).toHaveLength(onnxLrn.length);
  for (const [k, lrn] of lrns.entries()) {
    const attrs = onnxLrn[k]?.attrs ?? {};
    expect(lrn.config.size).toBe(attrs.size);
    expect(lrn.config.alpha).toBeCloseTo(attrs.alpha as number, 9);
    expect(lrn.config.beta).toBeCloseTo(attrs.beta as number, 9);
    expect(lrn.config.k).toBe(attrs.bias);
  }
  const kind = (c: Layer) =>
    c instanceof Conv2d
      ? 'Conv'
      : c instanceof Dense
        ? 'Gemm'
        : c instanceof LocalResponseNorm
          ? 'LRN'
          : c instanceof MaxPool2d
            ? 'MaxPool'
            : '';
  const ops = ['Conv', 'Gemm', 'LRN', 'MaxPool'];
  expect(model.children.map(kind).filter(Boolean)).toEqual(
    graph.nodes.map((n) => n.op).filter((op) => ops.includes(op)),
  );
  const pools = model.children.filter((c): c is MaxPool2d => c instanceof MaxPool2d);
  const onnxPools = graph.nodes.filter((n) => n.op === 'MaxPool');
  expect(pools.map((p) => [p.config.kernel, p.config.stride])).toEqual(
    onnxPools.map((n) => [(n.attrs.kernel_shape as number[])[0], (n.attrs.strides as number[])[0]]),
  );
}
