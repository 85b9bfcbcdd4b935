import { initBackend } from '@convkit/backend';
import {
  Activation,
  AvgPool2d,
  add,
  BatchNorm,
  Concat,
  Conv2d,
  channelShuffle,
  channelSlice,
  Dense,
  GlobalPool2d,
  type Layer,
  multiply,
  sequential,
  shortcut,
} from '@convkit/layers';
import { decodeGraph } from '@convkit/testdata';
import { getModel } from '@convkit/zoo';
import { beforeAll, describe, expect, it } from 'vitest';
import { compareWithOrt, roundTrip } from '../../test/onnx-check.js';
import { randomizeWeights } from '../../test/random.js';
import { exportOnnx } from './export.js';

beforeAll(async () => {
  await initBackend('cpu');
});

const conv = (filters: number, kernel = 3, more: Record<string, unknown> = {}) =>
  new Conv2d({ filters, kernel, padding: 'same', ...more });

/** Two ResNet stages: identity blocks, a projection block (stride 2), and a three-way sum. */
const residual = () =>
  sequential([
    conv(8),
    add([
      sequential([conv(8), new BatchNorm(), new Activation({ fn: 'relu' }), conv(8), new BatchNorm()]),
      sequential([]),
    ]),
    new Activation({ fn: 'relu' }),
    add([
      sequential([conv(16, 3, { stride: 2 }), new BatchNorm(), new Activation({ fn: 'relu' }), conv(16)]),
      sequential([conv(16, 1, { stride: 2 }), new BatchNorm()]),
    ]),
    add([sequential([conv(16)]), sequential([]), sequential([conv(16, 1)])]),
    new Activation({ fn: 'relu' }),
  ]);

/** Squeeze-excitation gates: a `[1, 1, c]` one from a whole-map pool and 1×1 convs, and swish as x·σ(x). */
const gated = (h: number, w: number) =>
  sequential([
    conv(12),
    multiply([
      sequential([]),
      sequential([
        new AvgPool2d({ kernel: [h, w] }),
        conv(3, 1, { activation: 'relu' }),
        conv(12, 1, { activation: 'sigmoid' }),
      ]),
    ]),
    multiply([sequential([]), sequential([new Activation({ fn: 'sigmoid' })])]),
  ]);

/** ShuffleNet v1's grouped 1×1 convs around a shuffle, and v2's split unit (slice, concat, shuffle). */
const shuffled = () =>
  sequential([
    conv(16),
    conv(16, 1, { groups: 4, activation: 'relu' }),
    channelShuffle({ groups: 4 }),
    conv(16, 3, { groups: 16 }),
    new Concat([
      sequential([channelSlice({ begin: 0, size: 6 })]),
      sequential([channelSlice({ begin: 6, size: 10 }), conv(10, 1, { activation: 'relu' })]),
    ]),
    channelShuffle({ groups: 2 }),
  ]);

/** CIFAR ResNet option A on an odd map: 8 → 13 channels (2 zeros before, 3 after), 13 → 16 at stride 2 (⌈9/2⌉ = 5), stride alone. */
const optionA = () =>
  sequential([
    conv(8),
    add([sequential([conv(13)]), shortcut({ stride: 1, filters: 13 })]),
    add([sequential([conv(16, 3, { stride: 2 }), new BatchNorm()]), shortcut({ stride: 2, filters: 16 })]),
    add([sequential([conv(16, 1, { stride: 2 })]), shortcut({ stride: 2, filters: 16 })]),
  ]);

/** Squeeze-excitation with dense layers: a `[c]` gate, reshaped to `[N, C, 1, 1]` in the graph. */
const denseGate = () =>
  sequential([
    conv(8),
    multiply([
      sequential([]),
      sequential([
        new GlobalPool2d(),
        new Dense({ units: 2, activation: 'relu' }),
        new Dense({ units: 8, activation: 'sigmoid' }),
      ]),
    ]),
    new GlobalPool2d(),
  ]);

const cases: [string, () => Layer, [number, number, number]][] = [
  ['residual blocks (Add, Sum)', residual, [10, 9, 3]],
  ['gates (Mul)', () => gated(7, 6), [7, 6, 3]],
  ['channel shuffle and slices', shuffled, [6, 5, 3]],
  ['option-A shortcuts (strided Slice, Pad)', optionA, [9, 9, 3]],
  ['a dense squeeze-excitation gate', denseGate, [6, 6, 3]],
];

describe('add, multiply, channelShuffle, channelSlice, shortcut: onnxruntime-node computes what convkit computes', () => {
  it.each(cases)('%s', async (_, make, input) => {
    const model = make();
    model.build(input, { seed: 5 });
    randomizeWeights(model, 6);
    const { diff, scale, bytes } = await compareWithOrt(model, input, 2);
    expect(scale).toBeGreaterThan(1e-3);
    expect(diff).toBeLessThan(1e-5 * Math.max(1, scale));
    expect(decodeGraph(bytes).nodes.length).toBeGreaterThan(3);
    model.dispose();
  });

  it('writes one node per join: Add for two branches, Sum for three, Mul per factor', async () => {
    const model = residual();
    model.build([8, 8, 3], { seed: 1 });
    const ops = decodeGraph(await exportOnnx(model, { input: [8, 8, 3] })).nodes.map((n) => n.op);
    expect(ops.filter((op) => op === 'Add')).toHaveLength(2);
    expect(ops.filter((op) => op === 'Sum')).toHaveLength(1);
    model.dispose();
  });
});

describe('convkit → ONNX → convkit: the same layers back, outputs identical', () => {
  it.each(cases.slice(0, 4))('%s', async (_, make, input) => {
    const model = make();
    model.build(input, { seed: 5 });
    randomizeWeights(model, 6);
    const imported = await roundTrip(model, input);
    const types = (json: { type: string; config: { layers?: unknown[]; branches?: unknown[] } }): string[] => [
      json.type,
      ...[...(json.config.layers ?? []), ...(json.config.branches ?? [])].flatMap((c) => types(c as typeof json)),
    ];
    const kinds = (json: unknown) =>
      types(json as Parameters<typeof types>[0]).filter((t) =>
        ['add', 'multiply', 'channelShuffle', 'channelSlice', 'shortcut'].includes(t),
      );
    expect(kinds(imported.architecture)).toEqual(kinds(model.toJSON()));
    model.dispose();
    imported.model.dispose();
  });
});

describe('the zoo models built from them: onnxruntime-node, and back through importOnnx', () => {
  // At 32×32 five stride-2 steps leave 1×1 before the global pool, as zoo's forward test runs them;
  // resnet20 is CIFAR's, with option-A shortcuts (strided Slice + channel Pad in the graph).
  it.each(['resnet18', 'resnet20', 'mobilenet-v2', 'shufflenet-v1-g4', 'shufflenet-v2-x1.0'])(
    '%s at 32×32',
    async (name) => {
      const input: [number, number, number] = [32, 32, 3];
      const model = getModel(name, { numClasses: 10 }).build(input, { seed: 3 });
      randomizeWeights(model, 4);
      const { diff, scale } = await compareWithOrt(model, input, 2);
      expect(scale).toBeGreaterThan(1e-3);
      expect(diff).toBeLessThan(1e-5 * Math.max(1, scale));
      const imported = await roundTrip(model, input);
      const shapes = (m: Layer) => Object.fromEntries(m.namedWeights().map(([n, v]) => [n, v.shape]));
      expect(Object.values(shapes(imported.model))).toEqual(Object.values(shapes(model)));
      model.dispose();
      imported.model.dispose();
    },
    120_000,
  );
});
