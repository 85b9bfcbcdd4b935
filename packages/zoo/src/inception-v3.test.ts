import { initBackend } from '@convkit/backend';
import { AuxiliaryHead, applyWithAuxiliary, Concat, type Layer, Sequential, summary } from '@convkit/layers';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { inceptionV3, inceptionV3Definition, inceptionV3Models } from './inception-v3.js';

const input: [number, number, number] = [299, 299, 3];
const build = (auxLogits: boolean, numClasses = 1000) => inceptionV3Definition.build({ numClasses, input, auxLogits });

interface Walk {
  shape: number[];
  trainable: number;
  params: number;
  shapes: Map<string, number[]>;
}

/** Shapes and parameter counts by walking the layer tree, independent of the shape trace. */
function walk(layer: Layer, shape: number[], into: Walk = { shape, trainable: 0, params: 0, shapes: new Map() }): Walk {
  if (layer instanceof AuxiliaryHead) {
    walk(layer.head, shape, into);
    into.shape = shape;
  } else if (layer instanceof Sequential) {
    let s = shape;
    for (const child of layer.children) s = walk(child, s, into).shape;
    into.shape = s;
  } else if (layer instanceof Concat) {
    const outs = layer.children.map((b) => walk(b, shape, into).shape);
    const [h, w] = outs[0] as number[];
    for (const o of outs) expect([o[0], o[1]], layer.name).toEqual([h, w]);
    into.shape = [h as number, w as number, outs.reduce((c, o) => c + (o[2] as number), 0)];
  } else {
    for (const spec of layer.weightSpecs(shape)) {
      const n = spec.shape.reduce((a, b) => a * b, 1);
      into.params += n;
      if (spec.trainable) into.trainable += n;
    }
    into.shape = layer.outputShape(shape);
  }
  into.shapes.set(layer.name, into.shape);
  return into;
}

/** Torchvision's stage shapes at 299, which both the tree walk and the summary must give. */
const STAGES: Record<string, number[]> = {
  'Conv2d_1a_3x3/relu': [149, 149, 32],
  'Conv2d_2a_3x3/relu': [147, 147, 32],
  'Conv2d_2b_3x3/relu': [147, 147, 64],
  maxpool1: [73, 73, 64],
  'Conv2d_3b_1x1/relu': [73, 73, 80],
  'Conv2d_4a_3x3/relu': [71, 71, 192],
  maxpool2: [35, 35, 192],
  Mixed_5b: [35, 35, 256],
  Mixed_5c: [35, 35, 288],
  Mixed_5d: [35, 35, 288],
  Mixed_6a: [17, 17, 768],
  Mixed_6e: [17, 17, 768],
  Mixed_7a: [8, 8, 1280],
  Mixed_7b: [8, 8, 2048],
  Mixed_7c: [8, 8, 2048],
  avgpool: [2048],
};

describe('inception-v3 (torchvision Inception3)', () => {
  it('has 23,834,568 trainable parameters (27,161,264 with AuxLogits) and [1000] out, walking the tree', () => {
    const plain = walk(build(false), input);
    expect(plain.trainable).toBe(23_834_568);
    expect(plain.shape).toEqual([1000]);
    const aux = walk(build(true), input);
    expect(aux.trainable).toBe(27_161_264);
    expect(aux.shape).toEqual([1000]);
    expect(aux.trainable - plain.trainable).toBe(3_326_696);
    const expected: Record<string, number[]> = {
      ...STAGES,
      'AuxLogits/conv1/relu': [1, 1, 768],
      'AuxLogits/fc': [1000],
    };
    for (const [name, s] of Object.entries(expected)) expect(aux.shapes.get(name), name).toEqual(s);
    expect(walk(inceptionV3(), [75, 75, 3]).shapes.get('Mixed_7c')).toEqual([1, 1, 2048]);
    expect(() => walk(inceptionV3(), [74, 74, 3])).toThrow();
  });

  it('has torchvision’s 23,834,568 trainable parameters, 27,161,264 with AuxLogits', () => {
    const plain = summary(build(false), { input });
    expect(plain.totals.trainable).toBe(23_834_568);
    expect(plain.output).toEqual([1000]);
    const aux = summary(build(true), { input });
    expect(aux.totals.trainable).toBe(27_161_264);
    expect(aux.output).toEqual([1000]);
    // BatchNorm's running mean and variance: 2 × the BN channels, non-trainable.
    expect(plain.totals.params - plain.totals.trainable).toBeGreaterThan(0);
  });

  it('has torchvision’s stage shapes at 299', () => {
    const rows = summary(build(true), { input }).rows;
    const shape = (name: string) => rows.find((r) => r.name === name)?.outputShape;
    const expected: Record<string, number[]> = {
      ...STAGES,
      Mixed_6b: [17, 17, 768],
      Mixed_6c: [17, 17, 768],
      Mixed_6d: [17, 17, 768],
      fc: [1000],
    };
    for (const [name, s] of Object.entries(expected)) expect(shape(name), name).toEqual(s);
    const spatial = rows.map((r) => r.outputShape[0]).filter((h, k, a) => h !== a[k - 1]);
    expect(spatial.slice(0, 6)).toEqual([149, 147, 73, 71, 35, 17]);
  });

  it('places AuxLogits right after Mixed_6e, with torchvision’s head', () => {
    const model = build(true) as Layer & { children: readonly Layer[] };
    const k = model.children.findIndex((c) => c.name === 'Mixed_6e');
    const aux = model.children[k + 1];
    expect(aux).toBeInstanceOf(AuxiliaryHead);
    expect(aux?.name).toBe('AuxLogits');
    expect(model.children[k + 2]?.name).toBe('Mixed_7a');
    // 128·768 + 2·128 + 768·128·25 + 2·768 + 768·1000 + 1000 = 3,326,696
    const withAux = summary(build(true), { input }).totals.trainable;
    const without = summary(build(false), { input }).totals.trainable;
    expect(withAux - without).toBe(3_326_696);
  });

  it('has torchvision’s branch widths in order', () => {
    const model = build(false) as Layer & { children: readonly Layer[] };
    const mixed = (name: string) => model.children.find((c) => c.name === name) as Concat;
    const widths = (name: string, at: [number, number, number]) =>
      mixed(name).children.map((b) => b.outputShape(at)[2]);
    expect(widths('Mixed_5b', [35, 35, 192])).toEqual([64, 64, 96, 32]);
    expect(widths('Mixed_6a', [35, 35, 288])).toEqual([384, 96, 288]);
    expect(widths('Mixed_6b', [17, 17, 768])).toEqual([192, 192, 192, 192]);
    expect(widths('Mixed_7a', [17, 17, 768])).toEqual([320, 192, 768]);
    expect(widths('Mixed_7b', [8, 8, 1280])).toEqual([320, 768, 768, 192]);
  });

  it('takes inputs down to 75×75 (299×299 with AuxLogits)', () => {
    const at = (side: number, aux: boolean) => () =>
      summary(inceptionV3({ auxLogits: aux, numClasses: 10 }), { input: [side, side, 3] });
    expect(at(75, false)().output).toEqual([10]);
    expect(at(74, false)).toThrow();
    expect(at(299, true)().output).toEqual([10]);
    expect(at(298, true)).toThrow();
    expect(inceptionV3Definition.card.inputs).toContain('75×75');
    expect(inceptionV3Models.map((d) => d.card.name)).toEqual(['inception-v3']);
  });

  it('runs a forward pass at 75×75 on cpu', async () => {
    await initBackend('cpu');
    const model = inceptionV3({ numClasses: 7 });
    model.build([75, 75, 3], { seed: 1 });
    const x = tf.randomUniform([1, 75, 75, 3], 0, 1, 'float32', 2);
    const { output, auxiliary } = applyWithAuxiliary(model, x);
    expect(output.shape).toEqual([1, 7]);
    expect(auxiliary).toEqual([]);
    expect(Array.from(await output.data()).every(Number.isFinite)).toBe(true);
    tf.dispose([x, output]);
    model.dispose?.();
  }, 60_000);
});
