import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend } from '@convkit/backend';
import { applyWithAuxiliary, type Layer, LocalResponseNorm, summary } from '@convkit/layers';
import { hasTestdata, testdataDir } from '@convkit/testdata';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { paperTable } from '../test/googlenet-paper.js';
import { leaves, make, onnxLayers, ourLayers, summaryOf, type WeightedLayer } from '../test/models.js';
import {
  googlenet,
  googlenetCaffe,
  googlenetModels,
  googlenetTorchvision,
  googlenetTorchvisionDefinition,
  inceptionTable,
} from './googlenet.js';

const rowsOf = (def: typeof googlenetCaffe) => summaryOf(def).rows;
const count = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

describe('googlenet (BVLC Caffe, the paper’s Table 1)', () => {
  it('has 6,998,552 parameters and 1,582,671,872 MACs at 224×224×3', () => {
    const s = summaryOf(googlenetCaffe);
    expect(s.totals.params).toBe(6_998_552);
    expect(s.totals.trainable).toBe(6_998_552);
    // The paper (Section 5) speaks of "1.5 billion multiply-adds"; convolutions and fc give 1.583 G.
    expect(s.totals.macs).toBe(1_582_671_872);
    expect(s.output).toEqual([1000]);
  });

  it('has Table 1’s output shapes (ceil-mode pools): 112, 56, 56, 28, 28, 14, 14, 7', () => {
    const rows = rowsOf(googlenetCaffe);
    const shape = (name: string) => rows.find((r) => r.name === name)?.outputShape;
    const names: Record<string, string> = {
      conv1: 'conv1/7x7_s2',
      pool1: 'pool1/3x3_s2',
      conv2: 'conv2/3x3',
      pool2: 'pool2/3x3_s2',
      pool3: 'pool3/3x3_s2',
      pool4: 'pool4/3x3_s2',
      pool5: 'pool5/7x7_s1',
      fc: 'loss3/classifier',
    };
    for (const { stage, output } of paperTable) {
      const name = names[stage] ?? `inception_${stage}`;
      const expected = stage === 'pool5' ? [output[2]] : stage === 'fc' ? [output[2]] : output;
      expect(shape(name), stage).toEqual(expected);
    }
    expect(rows.map((r) => r.outputShape[0]).filter((h, k, a) => h !== a[k - 1] && a.length)).toEqual([
      112, 56, 28, 14, 7, 1024, 1000,
    ]);
  });

  it('computes each stage’s weights and MACs, and agrees with Table 1 where the paper is consistent', () => {
    const rows = rowsOf(googlenetCaffe);
    const stageRow: Record<string, string[]> = {
      conv1: ['conv1/7x7_s2'],
      conv2: ['conv2/3x3_reduce', 'conv2/3x3'],
      fc: ['loss3/classifier'],
    };
    // Per stage: [weights without biases, MACs], computed from the widths.
    const computed: Record<string, [number, number]> = {
      conv1: [9_408, 118_013_952],
      conv2: [114_688, 359_661_568],
      '3a': [163_328, 128_049_152],
      '3b': [388_096, 304_267_264],
      '4a': [375_552, 73_608_192],
      '4b': [448_512, 87_908_352],
      '4c': [509_440, 99_850_240],
      '4d': [604_672, 118_515_712],
      '4e': [867_328, 169_996_288],
      '5a': [1_042_432, 51_079_168],
      '5b': [1_442_816, 70_697_984],
      fc: [1_024_000, 1_024_000],
    };
    // Where Table 1 disagrees with its own widths (documented in paperTable's notes).
    const paramsOff = new Set(['conv1', '4a', '4c', '4d', '4e', '5a', '5b']);
    const opsOff = new Set(['conv1', '5a']);
    for (const { stage, paramsK, opsM } of paperTable) {
      if (paramsK === undefined || opsM === undefined) continue;
      const names = stageRow[stage] ?? [`inception_${stage}`];
      const picked = names.map((n) => rows.find((r) => r.name === n));
      const params = picked.reduce((a, r) => a + (r?.params.trainable ?? 0), 0);
      const biases = picked.reduce((a, r) => a + (r?.type === 'dense' ? 1000 : 0), 0);
      const row = inceptionTable.find((r) => r.stage === stage);
      const convBiases = row
        ? row.c1 + row.c3reduce + row.c3 + row.c5reduce + row.c5 + row.poolProj
        : stage === 'conv1'
          ? 64
          : stage === 'conv2'
            ? 64 + 192
            : 0;
      const weights = params - biases - convBiases;
      const macs = picked.reduce((a, r) => a + (r?.macs ?? 0), 0);
      expect([weights, macs], stage).toEqual(computed[stage]);
      // The paper's K is 1024 (conv2: 114,688 = 112 K; fc: 1,024,000 = 1000 K); it rounds either way by ≤ 1 K.
      if (!paramsOff.has(stage)) expect(Math.abs(weights / 1024 - paramsK), stage).toBeLessThanOrEqual(1);
      else expect(Math.abs(weights / 1024 - paramsK), stage).toBeGreaterThan(1);
      // "ops" in M, rounded or truncated (4a: 73.6 printed 73).
      if (!opsOff.has(stage)) expect(Math.abs(macs / 1e6 - opsM), stage).toBeLessThan(1);
      else expect(Math.abs(macs / 1e6 - opsM), stage).toBeGreaterThan(1);
    }
  });

  it('takes numClasses and inputs down to 47×47, as its card says', () => {
    expect(summary(make(googlenetCaffe, [224, 224, 3], 10), { input: [224, 224, 3] }).output).toEqual([10]);
    expect(summaryOf(googlenetCaffe, [47, 47, 3]).totals.params).toBe(6_998_552);
    expect(() => summaryOf(googlenetCaffe, [46, 46, 3])).toThrow();
    expect(googlenetCaffe.card.inputs).toMatch(/47×47/);
  });
});

describe('googlenet-torchvision', () => {
  it('has 6,624,904 trainable parameters and 1.498 G MACs at 224×224×3', () => {
    const s = summaryOf(googlenetTorchvisionDefinition);
    expect(s.totals.trainable).toBe(6_624_904);
    // BN running mean and variance: 2 per channel of the 57 BatchNorms.
    expect(s.totals.nonTrainable).toBe(14_560);
    expect(s.totals.params).toBe(6_639_464);
    expect(s.totals.macs).toBe(1_498_376_192);
    expect((s.totals.macs / 1e9).toFixed(3)).toBe('1.498'); // torchvision's "GFLOPS 1.50" are MACs
    expect(s.output).toEqual([1000]);
  });

  it('has the same stage shapes, a 3×3 "5×5" branch, no bias and no LRN', () => {
    const rows = rowsOf(googlenetTorchvisionDefinition);
    const shape = (name: string) => rows.find((r) => r.name === name)?.outputShape;
    expect(shape('conv1/conv')).toEqual([112, 112, 64]);
    expect(shape('maxpool1')).toEqual([56, 56, 64]);
    expect(shape('conv3/conv')).toEqual([56, 56, 192]);
    expect(shape('maxpool2')).toEqual([28, 28, 192]);
    expect(shape('inception3b')).toEqual([28, 28, 480]);
    expect(shape('maxpool3')).toEqual([14, 14, 480]);
    expect(shape('inception4e')).toEqual([14, 14, 832]);
    expect(shape('maxpool4')).toEqual([7, 7, 832]);
    expect(shape('inception5b')).toEqual([7, 7, 1024]);
    const convs = ourLayers(make(googlenetTorchvisionDefinition), [224, 224, 3]).filter((l) => l.op === 'conv');
    expect(convs).toHaveLength(57);
    expect(convs.every((c) => c.weights.length === 1)).toBe(true);
    expect(Math.max(...convs.slice(1).map((c) => c.kernel ?? 0))).toBe(3);
    expect(layersOf(make(googlenetTorchvisionDefinition)).some((l) => l instanceof LocalResponseNorm)).toBe(false);
  });

  it('works down to 31×31, as its card says', () => {
    expect(summaryOf(googlenetTorchvisionDefinition, [31, 31, 3]).totals.trainable).toBe(6_624_904);
    expect(() => summaryOf(googlenetTorchvisionDefinition, [30, 30, 3])).toThrow();
  });
});

describe('the definitions', () => {
  it('export both with cards', () => {
    expect(googlenetModels.map((d) => d.card.name)).toEqual(['googlenet', 'googlenet-torchvision']);
    for (const def of googlenetModels) {
      expect(def.card.paper.year).toBe(2015);
      expect(def.card.reported?.[0]?.value).toBe(6.67);
    }
  });
});

describe('the auxiliary classifiers', () => {
  it("the paper's: 13,378,280 parameters with both heads (6,998,552 + 3,188,840 + 3,190,888)", () => {
    const s = summary(googlenet({ auxLogits: true }), { input: [224, 224, 3] });
    expect(s.totals.params).toBe(13_378_280);
    expect(s.output).toEqual([1000]);
    const heads = s.rows.filter((r) => r.type === 'tap');
    expect(heads.map((r) => r.name)).toEqual(['loss1', 'loss2']);
    expect(heads.map((r) => r.params.trainable)).toEqual([3_188_840, 3_190_888]);
    expect(heads[0]?.branches?.[0]?.map((r) => r.outputShape)).toEqual([
      [4, 4, 512],
      [4, 4, 128],
      [2048],
      [1024],
      [1024],
      [1000],
    ]);
  });

  it("torchvision's: 13,004,888 trainable parameters with both heads", () => {
    const s = summary(googlenetTorchvision({ auxLogits: true }), { input: [224, 224, 3] });
    expect(s.totals.trainable).toBe(13_004_888);
  });

  it('run beside the main output at a small input', async () => {
    await initBackend('cpu');
    const model = googlenet({ auxLogits: true, numClasses: 5 });
    model.build([96, 96, 3], { seed: 1 });
    const x = tf.randomNormal([1, 96, 96, 3], 0, 1, 'float32', 3);
    const { output, auxiliary } = applyWithAuxiliary(model, x, { training: true, seed: 2 });
    expect(output.shape).toEqual([1, 5]);
    expect(auxiliary.map((a) => a.shape)).toEqual([
      [1, 5],
      [1, 5],
    ]);
    tf.dispose([x, output, ...auxiliary]);
    model.dispose();
  }, 60_000);
});

const layersOf = (model: Layer): Layer[] => leaves(model, [224, 224, 3]).map((l) => l.layer);

const inceptionOnnx = () => join(testdataDir(), 'onnx-light', 'light_inception_v1.onnx');

describe.skipIf(!hasTestdata() || !existsSync(inceptionOnnx()))('googlenet against the ONNX light inception_v1', () => {
  it('has the same convolutions and dense layer with the same kernel shapes, in graph order', () => {
    const { layers } = onnxLayers(inceptionOnnx());
    const ours = ourLayers(make(googlenetCaffe), googlenetCaffe.card.input);
    expect(ours).toHaveLength(58); // 57 convolutions and the classifier
    // The graph lists the branches in our order (1x1, 3x3_reduce, 3x3, 5x5_reduce, 5x5, pool_proj), so the
    // lists compare in order, not sorted. onnxLayers only sees the ConstantOfShape weights: 23 of the 57 conv
    // biases are plain initializers it does not list ([]), and the classifier's weight goes through a node
    // (r142), so its shape is unknown. Kernels are compared as given; biases where the graph has them.
    const kernelsOnly = (l: WeightedLayer) =>
      l.op === 'conv' ? { ...l, weights: [l.weights[0]] } : { op: l.op, weights: [l.weights[1]] };
    expect(ours.map(kernelsOnly)).toEqual(layers.map(kernelsOnly));
    for (const [k, l] of layers.entries()) {
      const bias = l.weights[1] ?? [];
      if (bias.length > 0) expect(ours[k]?.weights[1], `layer ${k}`).toEqual(bias);
    }
    expect(layers.filter((l) => (l.weights[1] ?? []).length === 0)).toHaveLength(23);
    // Kernels from the graph, biases and the classifier from Table 1: the README's 6,998,552.
    const convKernels = layers.filter((l) => l.op === 'conv').map((l) => count(l.weights[0] ?? []));
    const convBiases = layers.filter((l) => l.op === 'conv').map((l) => l.weights[0]?.[3] ?? 0);
    const total = [...convKernels, ...convBiases].reduce((a, b) => a + b, 0) + 1024 * 1000 + 1000;
    expect(total).toBe(6_998_552);
  });

  it('has the LRN parameters of the graph', () => {
    const { graph } = onnxLayers(inceptionOnnx());
    const lrns = layersOf(make(googlenetCaffe)).filter((c): c is LocalResponseNorm => c instanceof LocalResponseNorm);
    const onnxLrn = graph.nodes.filter((n) => n.op === 'LRN');
    expect(lrns).toHaveLength(onnxLrn.length);
    for (const [k, lrn] of lrns.entries()) {
      const attrs = onnxLrn[k]?.attrs ?? {};
      expect(lrn.config.size).toBe(attrs.size);
      expect(lrn.config.alpha).toBeCloseTo(attrs.alpha as number, 9);
      expect(lrn.config.beta).toBeCloseTo(attrs.beta as number, 9);
      expect(lrn.config.k).toBe(attrs.bias);
    }
    expect(graph.nodes.filter((n) => n.op === 'Concat')).toHaveLength(inceptionTable.length);
  });
});
