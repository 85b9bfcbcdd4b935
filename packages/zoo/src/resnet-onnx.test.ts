import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Activation,
  Add,
  BatchNorm,
  Conv2d,
  Dense,
  GlobalPool2d,
  type Layer,
  MaxPool2d,
  Sequential,
} from '@convkit/layers';
import { decodeGraph, hasTestdata, type OnnxGraph, testdataDir, weightShapes } from '@convkit/testdata';
import { describe, expect, it } from 'vitest';
import { make, summaryOf } from '../test/models.js';
import { resnetModels } from './resnet.js';

/** One node of the comparison: the op as ONNX names it, its geometry, its weight shapes (HWIO, [in, out]). */
interface Row {
  op: string;
  kernel?: number;
  stride?: number;
  pad?: number;
  groups?: number;
  /** For a Sum: whether one of its inputs is the block's input itself (an identity shortcut). */
  identity?: boolean;
  weights?: number[][];
}

const resnet50Onnx = () => join(testdataDir(), 'onnx-light', 'light_resnet50.onnx');
const count = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * Our model in the graph's order: a block's branches, then its Sum (the ONNX
 * export puts the join after both branches), then the ReLU. Returns the output shape.
 */
function ourRows(layer: Layer, shape: number[], out: Row[]): number[] {
  if (layer instanceof Sequential) return layer.children.reduce((s, child) => ourRows(child, s, out), shape);
  if (layer instanceof Add) {
    const outputs = layer.children.map((branch) => ourRows(branch, shape, out));
    const identity = layer.children.some((b) => b instanceof Sequential && b.children.length === 0);
    out.push({ op: 'Sum', identity });
    return outputs[0] as number[];
  }
  const weights = layer.weightSpecs(shape).map((w) => [...w.shape]);
  if (layer instanceof Conv2d) {
    const { kernel, stride = 1, padding = 0, groups = 1 } = layer.config;
    out.push({
      op: 'Conv',
      kernel: kernel as number,
      stride: stride as number,
      pad: padding as number,
      groups,
      weights,
    });
  } else if (layer instanceof BatchNorm) out.push({ op: 'BatchNormalization', weights });
  else if (layer instanceof Activation) out.push({ op: layer.config.fn === 'relu' ? 'Relu' : layer.config.fn });
  else if (layer instanceof MaxPool2d) {
    const { kernel, stride, padding = 0 } = layer.config;
    out.push({ op: 'MaxPool', kernel: kernel as number, stride: stride as number, pad: padding as number });
  } else if (layer instanceof GlobalPool2d)
    out.push({ op: 'AveragePool', kernel: shape[0] as number, stride: 1, pad: 0 });
  else if (layer instanceof Dense) out.push({ op: 'Gemm', weights });
  else throw new Error(`no ONNX counterpart for ${layer.type} ${layer.name}`);
  return layer.outputShape(shape);
}

/** The graph's nodes as rows; Reshape (our global pool gives `[c]` already) and Softmax (left to the loss) are skipped. */
function onnxRows(graph: OnnxGraph): Row[] {
  const dims = new Map(weightShapes(graph).map((w) => [w.name, w.dims]));
  for (const [name, t] of graph.initializers) if (!dims.has(name)) dims.set(name, t.dims);
  const dimsOf = (name: string) => dims.get(name) ?? [];
  const producer = new Map(graph.nodes.flatMap((n) => n.outputs.map((o) => [o, n.op] as const)));
  const first = (a: unknown) => (a as number[] | undefined)?.[0] ?? 0;
  return graph.nodes.flatMap((node): Row[] => {
    const [, ...params] = node.inputs;
    const geometry = () => {
      const pads = (node.attrs.pads as number[] | undefined) ?? [0, 0, 0, 0];
      expect(new Set(pads).size, `${node.op} symmetric padding`).toBe(1);
      return { kernel: first(node.attrs.kernel_shape), stride: first(node.attrs.strides), pad: pads[0] as number };
    };
    switch (node.op) {
      case 'Conv': {
        const [o, i, kh, kw] = dimsOf(params[0] ?? '');
        expect(params, 'no conv bias').toHaveLength(1);
        const groups = (node.attrs.group as number | undefined) ?? 1;
        return [{ op: 'Conv', ...geometry(), groups, weights: [[kh, kw, i, o] as number[]] }];
      }
      case 'BatchNormalization':
        return [{ op: node.op, weights: params.map(dimsOf) }];
      case 'Sum':
        return [{ op: 'Sum', identity: node.inputs.some((v) => producer.get(v) !== 'BatchNormalization') }];
      case 'Relu':
        return [{ op: 'Relu' }];
      case 'MaxPool':
      case 'AveragePool':
        return [{ op: node.op, ...geometry() }];
      case 'Gemm': {
        expect(node.attrs.transB).toBe(1);
        const [o, i] = dimsOf(params[0] ?? '');
        return [{ op: 'Gemm', weights: [[i, o] as number[], dimsOf(params[1] ?? '')] }];
      }
      default:
        return [];
    }
  });
}

describe.skipIf(!hasTestdata() || !existsSync(resnet50Onnx()))('resnet50 against the ONNX light resnet50', () => {
  const def = resnetModels.find((d) => d.card.name === 'resnet50');
  if (!def) throw new Error('resnet50 is not among resnetModels');
  const graph = () => decodeGraph(readFileSync(resnet50Onnx()));

  it('matches node for node: 53 convolutions (kernel, stride, pad, widths), 53 BN, 49 ReLU, 16 sums, pools, fc', () => {
    const ours: Row[] = [];
    expect(ourRows(make(def), [...def.card.input], ours)).toEqual([1000]);
    const theirs = onnxRows(graph());
    const ops = (rows: Row[]) => rows.map((r) => r.op);
    expect(ops(ours)).toEqual(ops(theirs));
    const tally = (op: string) => ours.filter((r) => r.op === op).length;
    expect([tally('Conv'), tally('BatchNormalization'), tally('Relu'), tally('Sum')]).toEqual([53, 53, 49, 16]);
    expect(ours).toEqual(theirs);
    // 4 projection shortcuts (one per stage) and 12 identities.
    expect(ours.filter((r) => r.op === 'Sum' && !r.identity)).toHaveLength(4);
  });

  it('puts stride 2 on the 3×3 of each stage’s first bottleneck and on its projection, as the graph (v1.5)', () => {
    const strided = onnxRows(graph()).filter((r) => r.op === 'Conv' && r.stride === 2);
    expect(strided.map((r) => [r.kernel, r.weights?.[0]?.[3]])).toEqual([
      [7, 64],
      [3, 128],
      [1, 512],
      [3, 256],
      [1, 1024],
      [3, 512],
      [1, 2048],
    ]);
  });

  it('has the manifest’s 25,610,152 weights: 25,557,032 trainable + 53,120 BN running statistics', () => {
    const weights = onnxRows(graph()).flatMap((r) => r.weights ?? []);
    expect(weights.reduce((a, w) => a + count(w), 0)).toBe(25_610_152);
    const totals = summaryOf(def).totals;
    expect([totals.params, totals.trainable, totals.nonTrainable]).toEqual([25_610_152, 25_557_032, 53_120]);
  });
});
