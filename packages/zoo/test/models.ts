// Shared by the zoo's model tests: build a model from its definition, and
// list its weighted layers to compare with an ONNX light graph.
import { readFileSync } from 'node:fs';
import { Conv2d, Dense, type Layer, Sequential, summary } from '@convkit/layers';
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

/** Per weighted layer (conv / dense) of a model: its geometry and weight shapes (HWIO, [in, out]), no weight allocated. */
export function ourLayers(model: Layer, input: number[]) {
  if (!(model instanceof Sequential)) throw new Error('expected a sequential model');
  const out: WeightedLayer[] = [];
  let shape = input;
  for (const child of model.children) {
    const weights = child.weightSpecs(shape).map((w) => w.shape);
    if (child instanceof Conv2d) {
      const { kernel, stride = 1, groups = 1, padding = 0 } = child.config;
      out.push({
        op: 'conv',
        kernel: kernel as number,
        stride: stride as number,
        groups,
        pad: padding as number,
        weights,
      });
    } else if (child instanceof Dense) out.push({ op: 'dense', weights });
    shape = child.outputShape(shape);
  }
  return out;
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
