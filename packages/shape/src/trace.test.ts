import { LENET5_C3 } from '@convkit/testdata';
import { describe, expect, it } from 'vitest';
import { ShapeError } from './errors.js';
import type { LayerSpec } from './specs.js';
import { trace } from './trace.js';

const conv = (filters: number): LayerSpec => ({ type: 'conv', filters, kernel: 3, padding: 1, activation: 'relu' });
const pool: LayerSpec = { type: 'pool', kernel: 2, stride: 2, mode: 'max' };

/** VGG configuration D (Simonyan & Zisserman 2015, Table 1), written out layer by layer. */
const VGG16: LayerSpec[] = [
  conv(64),
  conv(64),
  pool,
  conv(128),
  conv(128),
  pool,
  conv(256),
  conv(256),
  conv(256),
  pool,
  conv(512),
  conv(512),
  conv(512),
  pool,
  conv(512),
  conv(512),
  conv(512),
  pool,
  { type: 'flatten' },
  { type: 'dense', units: 4096, activation: 'relu' },
  { type: 'dropout', rate: 0.5 },
  { type: 'dense', units: 4096, activation: 'relu' },
  { type: 'dropout', rate: 0.5 },
  { type: 'dense', units: 1000 },
];

describe('trace — VGG-16', () => {
  const result = trace([224, 224, 3], VGG16);

  it('has 138,357,544 parameters and 15.47 GMACs (torchvision: 138,357,544 params, 15.47 GFLOPS as MACs)', () => {
    expect(result.totals.params).toBe(138_357_544);
    expect(result.totals.trainable).toBe(138_357_544);
    expect(result.totals.macs).toBe(15_470_264_320);
    expect(result.totals.flops).toBe(2 * 15_470_264_320);
    expect((result.totals.macs / 1e9).toFixed(2)).toBe('15.47');
  });

  it('ends in 1000 classes after 7×7×512', () => {
    expect(result.output).toEqual([1000]);
    const flatten = result.rows.find((r) => r.type === 'flatten');
    expect(flatten?.inputShape).toEqual([7, 7, 512]);
    expect(flatten?.outputShape).toEqual([25_088]);
  });

  it('names layers by type and count, and writes each output-size formula', () => {
    expect(result.rows.map((r) => r.name).slice(0, 4)).toEqual(['conv1', 'conv2', 'pool1', 'conv3']);
    expect(result.rows[0]?.formulas).toEqual(['(224 + 2·1 − 3)/1 + 1 = 224', '(224 + 2·1 − 3)/1 + 1 = 224']);
  });

  it('puts the parameters in the FC layers and the memory in the early layers', () => {
    const fc6 = result.rows.find((r) => r.name === 'dense1');
    expect(fc6?.params.trainable).toBe(102_764_544);
    expect(result.rows[0]?.activations).toBe(224 * 224 * 64);
  });

  it('counts the input and every layer output as forward memory: 15,237,608 values + dropout, 61 MB', () => {
    // cs231n's slide says "24M × 4 bytes ≈ 93 MB"; its own per-layer list (input, convs,
    // pools, FCs) sums to 15,237,608. The two dropouts add 2 × 4,096; flatten is a view.
    expect(result.totals.activations).toBe(15_237_608 + 8192);
    expect(result.memory.activationsPerImage).toBe((15_237_608 + 8192) * 4);
  });

  it('grows the receptive field to 196 at conv5_3 and 212 at pool5', () => {
    const convs = result.rows.filter((r) => r.type === 'conv');
    expect(convs.at(-1)?.receptiveField?.size).toEqual([196, 196]);
    expect(result.rows.filter((r) => r.type === 'pool').at(-1)?.receptiveField).toEqual({
      size: [212, 212],
      jump: [32, 32],
      start: [15.5, 15.5],
    });
    expect(result.rows.find((r) => r.type === 'dense')?.receptiveField).toBeUndefined();
  });
});

describe('trace — LeNet-5', () => {
  const lenet: LayerSpec[] = [
    { type: 'conv', name: 'C1', filters: 6, kernel: 5 },
    { type: 'pool', name: 'S2', kernel: 2, trainable: true },
    { type: 'conv', name: 'C3', filters: 16, kernel: 5, connections: LENET5_C3 },
    { type: 'pool', name: 'S4', kernel: 2, trainable: true },
    { type: 'conv', name: 'C5', filters: 120, kernel: 5 },
    { type: 'flatten' },
    { type: 'dense', name: 'F6', units: 84 },
  ];

  it("has the paper's 60,000 trainable parameters: 156 + 12 + 1,516 + 32 + 48,120 + 10,164", () => {
    const result = trace([32, 32, 1], lenet);
    expect(result.rows.map((r) => r.params.trainable)).toEqual([156, 12, 1516, 32, 48_120, 0, 10_164]);
    expect(result.totals.trainable).toBe(60_000);
    expect(result.rows.map((r) => r.outputShape)).toEqual([
      [28, 28, 6],
      [14, 14, 6],
      [10, 10, 16],
      [5, 5, 16],
      [1, 1, 120],
      [120],
      [84],
    ]);
  });
});

describe('trace — branches', () => {
  /** GoogLeNet inception (3a), Szegedy et al. 2015, Table 1. */
  const inception3a: LayerSpec = {
    type: 'concat',
    name: 'inception3a',
    branches: [
      [{ type: 'conv', filters: 64, kernel: 1 }],
      [
        { type: 'conv', filters: 96, kernel: 1 },
        { type: 'conv', filters: 128, kernel: 3, padding: 1 },
      ],
      [
        { type: 'conv', filters: 16, kernel: 1 },
        { type: 'conv', filters: 32, kernel: 5, padding: 2 },
      ],
      [
        { type: 'pool', kernel: 3, stride: 1, padding: 1 },
        { type: 'conv', filters: 32, kernel: 1 },
      ],
    ],
  };

  it('concatenates channels: 64 + 128 + 32 + 32 = 256, 128M MACs as the paper reports', () => {
    const result = trace([28, 28, 192], [inception3a]);
    expect(result.output).toEqual([28, 28, 256]);
    const row = result.rows[0];
    expect(row?.branches?.map((b) => b.length)).toEqual([1, 2, 2, 2]);
    expect(row?.branches?.[1]?.[1]?.depth).toBe(1);
    // Weights without biases: 163,328 (the paper's table rounds to 159K); 784 positions each.
    expect(result.totals.macs).toBe(28 * 28 * 163_328);
    expect(result.totals.params).toBe(163_328 + 64 + 96 + 128 + 16 + 32 + 32);
    // The union of the branches' fields: the 5×5 branch sees 5×5.
    expect(row?.receptiveField?.size).toEqual([5, 5]);
  });

  it('lets every branch downsample alike (a grid reduction, as Inception v3 has)', () => {
    const result = trace(
      [35, 35, 288],
      [
        {
          type: 'concat',
          branches: [[{ type: 'conv', filters: 384, kernel: 3, stride: 2 }], [{ type: 'pool', kernel: 3, stride: 2 }]],
        },
      ],
    );
    expect(result.output).toEqual([17, 17, 672]);
  });

  it('passes the input through an empty branch', () => {
    const result = trace([8, 8, 4], [{ type: 'concat', branches: [[], [{ type: 'conv', filters: 2, kernel: 1 }]] }]);
    expect(result.output).toEqual([8, 8, 6]);
  });

  it('rejects branches whose spatial sizes differ, naming the module and each branch', () => {
    const bad: LayerSpec = {
      type: 'concat',
      name: 'mixed',
      branches: [[{ type: 'conv', filters: 4, kernel: 3 }], [{ type: 'conv', filters: 4, kernel: 1 }]],
    };
    expect(() => trace([8, 8, 3], [bad])).toThrow(
      "mixed: concatenated branches must agree on height and width, but branch 1 does not (branch 0 gives [6, 6, 4], branch 1 gives [8, 8, 4]): give every branch the same stride and 'same' padding",
    );
  });
});

describe('trace — memory', () => {
  // conv 2×3×3 (pad 1) → flatten → dense 3, on a 4×4×1 input; every number below by hand.
  // Stored: input 16 + conv 32 + dense 3 (flatten is a view). Peak: conv's 16 in + 32 out.
  const layers: LayerSpec[] = [
    { type: 'conv', filters: 2, kernel: 3, padding: 1 },
    { type: 'flatten' },
    { type: 'dense', units: 3 },
  ];

  it('counts weights, gradients, optimizer state and activations', () => {
    const { rows, totals, memory } = trace([4, 4, 1], layers, { batch: 8, optimizerSlots: 1 });
    expect(totals.params).toBe(20 + 99);
    expect(totals.activations).toBe(16 + 32 + 3);
    expect(rows.map((r) => r.activationBytes)).toEqual([32 * 4, 0, 3 * 4]);
    expect(memory).toEqual({
      dtype: 'float32',
      batch: 8,
      weights: 119 * 4,
      gradientsAndOptimizer: 119 * 2 * 4,
      activationsPerImage: 51 * 4,
      activationsPerBatch: 8 * 51 * 4,
      peakActivationsPerImage: (16 + 32) * 4,
      inference: 119 * 4 + 8 * 48 * 4,
      training: 119 * 4 + 119 * 8 + 8 * 51 * 4,
    });
  });

  it('scales with the dtype and the optimizer', () => {
    const { memory } = trace([4, 4, 1], layers, { dtype: 'float16', optimizerSlots: 2 });
    expect(memory.weights).toBe(119 * 2);
    expect(memory.gradientsAndOptimizer).toBe(119 * 3 * 2);
  });

  it('counts batch norm statistics as non-trainable weights without gradients', () => {
    const { totals, memory } = trace([4, 4, 8], [{ type: 'batchNorm' }], { optimizerSlots: 0 });
    expect(totals).toMatchObject({ trainable: 16, nonTrainable: 16 });
    expect(memory.gradientsAndOptimizer).toBe(16 * 4);
  });
});

describe('trace — other layers', () => {
  it('pools channels for maxout, globally pools and keeps element-wise shapes', () => {
    const result = trace(
      [6, 6, 12],
      [
        { type: 'channelPool', pieces: 3 },
        { type: 'lrn', size: 5 },
        { type: 'activation', fn: 'relu' },
        { type: 'globalPool', mode: 'avg' },
      ],
    );
    expect(result.rows.map((r) => r.outputShape)).toEqual([[6, 6, 4], [6, 6, 4], [6, 6, 4], [4]]);
  });

  it('pads with zeros around height and width, shifting the receptive field', () => {
    const result = trace(
      [5, 5, 2],
      [
        { type: 'pad', padding: [[1, 2], 3] },
        { type: 'conv', filters: 1, kernel: 3 },
      ],
    );
    expect(result.rows[0]?.outputShape).toEqual([8, 11, 2]);
    expect(result.rows[0]?.receptiveField?.start).toEqual([-1, -3]);
    expect(result.output).toEqual([6, 9, 1]);
    expect(() => trace([5, 5, 2], [{ type: 'pad', padding: 'same' as never }])).toThrow(ShapeError);
  });

  it('counts a side output (an auxiliary classifier) without changing the main path', () => {
    const result = trace(
      [14, 14, 512],
      [
        {
          type: 'tap',
          name: 'aux1',
          layers: [
            { type: 'pool', kernel: 5, stride: 3, mode: 'avg' },
            { type: 'conv', filters: 128, kernel: 1 },
            { type: 'flatten' },
            { type: 'dense', units: 1024 },
          ],
        },
        { type: 'conv', filters: 8, kernel: 1 },
      ],
    );
    expect(result.rows[0]?.outputShape).toEqual([14, 14, 512]);
    expect(result.rows[0]?.branches?.[0]?.map((r) => r.outputShape)).toEqual([
      [4, 4, 512],
      [4, 4, 128],
      [2048],
      [1024],
    ]);
    expect(result.rows[0]?.params.trainable).toBe(512 * 128 + 128 + 2048 * 1024 + 1024);
    expect(result.totals.params).toBe(512 * 128 + 128 + 2048 * 1024 + 1024 + 512 * 8 + 8);
    expect(result.output).toEqual([14, 14, 8]);
  });

  it('counts fixed dense weights as non-trainable', () => {
    const result = trace([84], [{ type: 'dense', units: 10, bias: false, trainable: false }]);
    expect(result.totals).toMatchObject({ trainable: 0, nonTrainable: 840 });
  });

  it('applies ceil mode, dilation and groups', () => {
    const result = trace(
      [112, 112, 64],
      [
        { type: 'pool', kernel: 3, stride: 2, ceilMode: true },
        { type: 'conv', filters: 64, kernel: 3, dilation: 2, padding: 2, groups: 64, bias: false },
      ],
    );
    expect(result.output).toEqual([56, 56, 64]);
    expect(result.totals.params).toBe(64 * 9);
  });
});

describe('trace — errors name the layer', () => {
  it('reports an inexact output in strict mode with the layer name', () => {
    const call = () =>
      trace([28, 28, 1], [{ type: 'conv', name: 'conv1', filters: 4, kernel: 5, stride: 2 }], { strict: true });
    expect(call).toThrow(ShapeError);
    expect(call).toThrow(/^conv1: \(28 \+ 2·0 − 5\)\/2 \+ 1 = 12\.5 is not an integer/);
  });

  it('asks for flatten before dense, and dense before nothing spatial', () => {
    expect(() => trace([7, 7, 512], [{ type: 'dense', units: 10 }])).toThrow(
      "dense1: a dense layer needs a flat input, received [7, 7, 512]: add { type: 'flatten' } before it",
    );
    expect(() => trace([10], [{ type: 'conv', filters: 1, kernel: 1 }])).toThrow(
      'conv1: conv needs an input of [height, width, channels], received [10]',
    );
  });

  it('rejects a kernel larger than the padded input', () => {
    expect(() =>
      trace(
        [4, 4, 1],
        [
          { type: 'conv', filters: 1, kernel: 3 },
          { type: 'conv', name: 'c2', filters: 1, kernel: 3 },
        ],
      ),
    ).toThrow('c2: kernel 3, more than the padded input 2 + 0 + 0 = 2');
  });

  it('rejects channels that do not split into maxout pieces', () => {
    expect(() => trace([4, 4, 10], [{ type: 'channelPool', pieces: 3 }])).toThrow(
      'channelPool1: 10 channels do not split into groups of 3 pieces',
    );
  });

  it('rejects bad inputs and unknown layer types', () => {
    expect(() => trace([28, 28], [])).toThrow(
      'trace: the input shape must be [height, width, channels] or [features], received [28, 28]',
    );
    expect(() => trace([28, 0, 1], [])).toThrow('trace: input dimension 1 must be a positive integer, received 0');
    expect(() => trace([4, 4, 1], [{ type: 'conv3d' } as never])).toThrow('unknown layer type "conv3d"');
  });
});
