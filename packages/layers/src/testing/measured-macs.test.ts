import { initBackend } from '@convkit/backend';
import type { LayerSpec, Shape } from '@convkit/shape';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Conv2d } from '../conv.js';
import { Dense } from '../dense.js';
import { Layer } from '../layer.js';
import { describeKernels, kernelMacs, measureMacs } from './measured-macs.js';

beforeAll(async () => {
  await initBackend('cpu');
});

/** Runs `f` on its input, declaring nothing: a way to profile single tfjs ops through a layer. */
class Ops extends Layer {
  readonly type = 'ops';
  constructor(private readonly f: (x: tf.Tensor) => tf.Tensor) {
    super({ name: 'ops' });
  }
  specs(input: Shape): LayerSpec[] {
    return [{ type: 'custom', kind: 'ops', output: [...input] }];
  }
  protected call(x: tf.Tensor): tf.Tensor {
    return this.f(x);
  }
}

const measured = async (f: (x: tf.Tensor) => tf.Tensor, input: Shape) => {
  const layer = new Ops(f).build(input);
  const m = await measureMacs(layer, input);
  layer.dispose();
  return m;
};

/** Kernel, its input shapes as the profile records them (`null` for an absent input), output shape, MACs by hand. */
type Case = [string, (number[] | null)[], number[], number];
// biome-ignore format: one kernel call per line reads as a table
const CASES: Record<string, Case[]> = {
  'a convolution as outputs × kh·kw·cin, a depthwise one as outputs × kh·kw': [
    ['Conv2D', [[1, 8, 8, 3], [3, 3, 3, 4]], [1, 6, 6, 4], 144 * 27],
    ['FusedConv2D', [[1, 8, 8, 3], [3, 3, 3, 4], [4], null], [1, 6, 6, 4], 144 * 27],
    ['DepthwiseConv2dNative', [[1, 5, 5, 2], [3, 3, 2, 2]], [1, 3, 3, 4], 36 * 9],
    ['FusedDepthwiseConv2D', [[1, 5, 5, 2], [3, 3, 2, 2], null, null], [1, 3, 3, 4], 36 * 9],
  ],
  'a matrix product as batch·m·n·k, transposed or broadcast': [
    ['BatchMatMul', [[1, 5], [5, 3]], [1, 3], 15],
    ['BatchMatMul', [[5, 1], [5, 3]], [1, 3], 15], // a transposed [1, 5]
    ['_FusedMatMul', [[2, 4, 6], [2, 6, 3], [3]], [2, 4, 3], 2 * 4 * 3 * 6],
    ['BatchMatMul', [[4, 6], [2, 6, 3]], [2, 4, 3], 2 * 4 * 3 * 6],
  ],
  'a transposed convolution as inputs × kh·kw·outChannels, a Multiply as its outputs': [
    ['Conv2DBackpropInput', [[1, 3, 3, 4], [2, 2, 5, 4]], [1, 6, 6, 5], 36 * 4 * 5],
    ['Multiply', [[1, 4, 4, 3], [3]], [1, 4, 4, 3], 48],
    ['Multiply', [[1, 4, 4, 3], []], [1, 4, 4, 3], 48],
  ],
};

describe('kernelMacs, by hand', () => {
  it.each(Object.entries(CASES))('counts %s', (_, cases) => {
    for (const [kernel, inputs, output, macs] of cases) expect(kernelMacs(kernel, inputs, output), kernel).toBe(macs);
  });

  it('does not count additions, activations, pooling, reductions or divisions', () => {
    for (const kernel of [
      'Add',
      'BiasAdd',
      'Relu',
      'Sigmoid',
      'AvgPool',
      'MaxPool',
      'Mean',
      'Sum',
      'RealDiv',
      'Square',
    ]) {
      expect(
        kernelMacs(
          kernel,
          [
            [1, 4, 4, 3],
            [1, 4, 4, 3],
          ],
          [1, 4, 4, 3],
        ),
      ).toBe(0);
    }
  });
});

describe('measureMacs', () => {
  it('measures a Conv2d and a Dense as @convkit/shape counts them, bias additions aside', async () => {
    const conv = new Conv2d({ filters: 4, kernel: 3 }).build([8, 8, 3]);
    const m = await measureMacs(conv, [8, 8, 3]);
    expect(m).toEqual({
      macs: 6 * 6 * 4 * 3 * 3 * 3,
      kernels: [
        {
          kernel: 'Conv2D',
          inputShapes: [
            [1, 8, 8, 3],
            [3, 3, 3, 4],
          ],
          outputShape: [1, 6, 6, 4],
          macs: 3888,
        },
      ],
    });
    const dense = new Dense({ units: 3 }).build([5]);
    expect((await measureMacs(dense, [5])).macs).toBe(15);
    conv.dispose();
    dense.dispose();
  });

  it('adds the groups of a grouped convolution: 2 groups of 2 → 2 channels on 6×6, 3×3 same: 2 × 72·18', async () => {
    const conv = new Conv2d({ filters: 4, kernel: 3, padding: 1, groups: 2 }).build([6, 6, 4]);
    const m = await measureMacs(conv, [6, 6, 4]);
    expect(m.kernels.map((k) => k.macs)).toEqual([1296, 1296]);
    expect(m.macs).toBe(2592); // = 36 · 9 · (4 filters × 2 channels), convMacs' formula
    conv.dispose();
  });

  it('reads the shapes tfjs records for depthwise, transposed and fused ops at batch 1', async () => {
    const depthwise = await measured(
      (x) => tf.depthwiseConv2d(x as tf.Tensor4D, tf.ones([3, 3, 2, 2]), 1, 'valid'),
      [5, 5, 2],
    );
    expect(depthwise.macs).toBe(3 * 3 * 4 * 9);
    const up = (x: tf.Tensor) => tf.conv2dTranspose(x as tf.Tensor4D, tf.ones([2, 2, 5, 4]), [1, 6, 6, 5], 2, 'valid');
    expect((await measured(up, [3, 3, 4])).macs).toBe(3 * 3 * 4 * (2 * 2 * 5)); // every input element × kh·kw·out
    const fused = (x: tf.Tensor) => tf.fused.matMul({ a: x as tf.Tensor2D, b: tf.ones([3, 6]), transposeB: true });
    expect((await measured(fused, [6])).macs).toBe(18);
  });

  it('counts a gate multiply h·w·c and not the mean, sigmoid or addition around it', async () => {
    const gate = (x: tf.Tensor) => tf.mul(x, tf.sigmoid(tf.add(tf.mean(x, [1, 2], true), 1)));
    const m = await measured(gate, [5, 4, 3]);
    expect(m.macs).toBe(5 * 4 * 3);
    expect(describeKernels(m.kernels)).toBe('Multiply [1, 5, 4, 3]·[1, 1, 1, 3] → [1, 5, 4, 3]: 60');
  });

  it('leaves no tensor behind', async () => {
    const conv = new Conv2d({ filters: 2, kernel: 3 }).build([5, 5, 1]);
    const before = tf.memory().numTensors;
    await measureMacs(conv, [5, 5, 1]);
    expect(tf.memory().numTensors).toBe(before);
    conv.dispose();
  });
});
