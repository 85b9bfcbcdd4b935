import { initBackend } from '@convkit/backend';
import { beforeAll, describe, expect, it } from 'vitest';
import { inception, mlpconv } from './blocks.js';
import { Concat } from './concat.js';
import { Conv2d } from './conv.js';
import { Sequential, sequential } from './sequential.js';
import { summary } from './summary.js';
import { runLayerTest } from './testing/index.js';

beforeAll(async () => {
  await initBackend('cpu');
});

/** Weights and biases of a block, counted from its convolutions' configs. */
function convCounts(block: Concat | Sequential, input: number[]): { weights: number; biases: number } {
  let weights = 0;
  let biases = 0;
  const visit = (layer: Concat | Sequential | Conv2d, shape: number[]): number[] => {
    if (layer instanceof Conv2d) {
      const k = layer.config.kernel as number;
      weights += k * k * (shape[2] as number) * layer.config.filters;
      biases += layer.config.filters;
      return layer.outputShape(shape);
    }
    if (layer instanceof Concat) {
      for (const branch of layer.children) visit(branch as Sequential, shape);
      return layer.outputShape(shape);
    }
    if (layer instanceof Sequential) {
      return layer.children.reduce((s, child) => visit(child as Conv2d, s), shape);
    }
    return (layer as Concat).outputShape(shape);
  };
  visit(block, input);
  return { weights, biases };
}

describe('inception (GoogLeNet)', () => {
  const a3 = () =>
    inception({ c1: 64, c3reduce: 96, c3: 128, c5reduce: 16, c5: 32, poolProj: 32, name: 'inception3a' });

  it('(3a) on 28×28×192: 28×28×256, 163,328 weights + 368 biases', () => {
    const block = a3();
    expect(block).toBeInstanceOf(Concat);
    expect(block.children).toHaveLength(4);
    const s = summary(block, { input: [28, 28, 192] });
    expect(s.output).toEqual([28, 28, 256]);
    expect(convCounts(block, [28, 28, 192])).toEqual({ weights: 163_328, biases: 368 });
    expect(s.totals.trainable).toBe(163_328 + 368);
    // The paper's Table 1: 159K params (its rounding), 128M ops (MACs).
    expect(s.totals.macs).toBe(163_328 * 28 * 28);
  });

  it('(3b) on 28×28×256: 480 channels', () => {
    const block = inception({
      c1: 128,
      c3reduce: 128,
      c3: 192,
      c5reduce: 32,
      c5: 96,
      poolProj: 64,
      name: 'inception3b',
    });
    expect(block.outputShape([28, 28, 256])).toEqual([28, 28, 480]);
    // 1×1 32,768 + 3×3 reduce 32,768 + 3×3 221,184 + 5×5 reduce 8,192 + 5×5 76,800 + pool proj 16,384.
    expect(convCounts(block, [28, 28, 256])).toEqual({ weights: 388_096, biases: 640 });
    expect(summary(block, { input: [28, 28, 256] }).totals.trainable).toBe(388_736);
  });

  it('3a then 3b chain, each named, with distinct weight names (Caffe style)', () => {
    const model = sequential([
      a3(),
      inception({ c1: 128, c3reduce: 128, c3: 192, c5reduce: 32, c5: 96, poolProj: 64, name: 'inception3b' }),
    ]);
    expect(model.outputShape([28, 28, 192])).toEqual([28, 28, 480]);
    model.build([28, 28, 192]);
    const names = Object.keys(model.getWeights());
    expect(names).toHaveLength(24);
    expect(new Set(names).size).toBe(24);
    expect(names.slice(0, 6)).toEqual([
      'inception3a/1x1/kernel',
      'inception3a/1x1/bias',
      'inception3a/3x3_reduce/kernel',
      'inception3a/3x3_reduce/bias',
      'inception3a/3x3/kernel',
      'inception3a/3x3/bias',
    ]);
    expect(names).toContain('inception3b/pool_proj/kernel');
    model.dispose();
  });

  it('every convolution has a ReLU and the pool branch is a 3×3/1 max pool with padding 1', () => {
    const specs = a3().specs([28, 28, 192])[0] as unknown as { branches: { type: string; [k: string]: unknown }[][] };
    const flat = specs.branches.flat();
    for (const s of flat.filter((s) => s.type === 'conv')) expect(s.activation).toBe('relu');
    expect(flat.find((s) => s.type === 'pool')).toMatchObject({ mode: 'max', kernel: 3, stride: 1, padding: 1 });
  });

  // A positive bias: with zero biases, a pixel where every channel of a ReLU
  // is 0 puts the next ReLU exactly on its kink, where finite differences
  // (0.5) and the gradient (0) disagree however small the step.
  it('passes runLayerTest (small, named and unnamed)', async () => {
    const small = { c1: 2, c3reduce: 2, c3: 3, c5reduce: 1, c5: 2, poolProj: 2, biasInit: { constant: 0.1 } };
    const report = await runLayerTest(() => inception(small), { input: [6, 6, 3] });
    expect(report.outputShape).toEqual([6, 6, 9]);
    expect(report.weights).toHaveLength(12);
    await runLayerTest(() => inception({ ...small, name: 'mixed' }), { input: [5, 7, 2] });
  });
});

describe('mlpconv (Network in Network)', () => {
  it("NiN's first CIFAR block: 192 5×5 (padding 2), then 160 and 96 1×1", () => {
    const block = mlpconv({ filters: 192, kernel: 5, padding: 2, micro: [160, 96], name: 'mlpconv1' });
    expect(block).toBeInstanceOf(Sequential);
    const s = summary(block, { input: [32, 32, 3] });
    expect(s.rows.map((r) => [r.name, r.outputShape])).toEqual([
      ['mlpconv1/conv', [32, 32, 192]],
      ['mlpconv1/cccp1', [32, 32, 160]],
      ['mlpconv1/cccp2', [32, 32, 96]],
    ]);
    // By hand: 5·5·3·192 + 192 = 14,592; 192·160 + 160 = 30,880; 160·96 + 96 = 15,456.
    expect(s.rows.map((r) => r.params.trainable)).toEqual([14_592, 30_880, 15_456]);
    expect(s.totals.trainable).toBe(60_928);
    expect(block.specs([32, 32, 3]).every((spec) => (spec as { activation?: string }).activation === 'relu')).toBe(
      true,
    );
  });

  it('passes its initializers to every convolution', () => {
    const block = mlpconv({
      filters: 4,
      kernel: 3,
      micro: [3],
      biasInit: { constant: 0.2 },
      kernelInit: 'glorotUniform',
    });
    for (const conv of block.children) {
      expect(conv.config).toMatchObject({ biasInit: { constant: 0.2 }, kernelInit: 'glorotUniform' });
    }
    expect(mlpconv({ filters: 4, kernel: 3, micro: [] }).children[0]?.config).not.toHaveProperty('biasInit');
  });

  it('takes a stride and no micro layers', () => {
    expect(mlpconv({ filters: 4, kernel: 3, stride: 2, micro: [] }).outputShape([9, 9, 3])).toEqual([4, 4, 4]);
  });

  it('passes runLayerTest (small; positive bias, as for inception)', async () => {
    const make = () => mlpconv({ filters: 4, kernel: 3, padding: 1, micro: [3, 2], biasInit: { constant: 0.1 } });
    const report = await runLayerTest(make, { input: [6, 5, 2] });
    expect(report.outputShape).toEqual([6, 5, 2]);
    expect(report.weights).toEqual([
      'conv2d1/kernel',
      'conv2d1/bias',
      'conv2d2/kernel',
      'conv2d2/bias',
      'conv2d3/kernel',
      'conv2d3/bias',
    ]);
  });
});
