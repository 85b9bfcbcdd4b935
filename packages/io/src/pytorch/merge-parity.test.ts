import { initBackend } from '@convkit/backend';
import type { LayerJSON } from '@convkit/layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { findTorch } from '../../test/python.js';
import { type ParityCase, type ParityResult, torchParity } from '../../test/torch-compare.js';
import { pytorchModelFiles } from './emit-model.js';

// The merge and channel layers' model.py (add, multiply, channelShuffle, channelSlice, shortcut) against
// convkit itself, as parity.test.ts checks the others: the same weights (biases and batch-norm statistics
// randomized) and batch, then the inference output (1e-5), every weight's training-mode loss gradient
// (1e-3 relative) and the running statistics after that step (1e-5). Skips without torch.

const found = findTorch();
console.log(`PyTorch parity of the merge layers: ${found.python ? 'running with' : 'skipped:'} ${found.why}`);

const seq = (...layers: LayerJSON[]): LayerJSON => ({ type: 'sequential', config: { layers } });
const L = (type: string, config: Record<string, unknown> = {}): LayerJSON => ({ type, config });
const conv = (filters: number, kernel: number, extra: Record<string, unknown> = {}) =>
  L('conv2d', { filters, kernel, padding: 'same', ...extra });
const relu = () => L('activation', { fn: 'relu' });
const head = () => [L('globalPool2d'), L('dense', { units: 3 })];

/** ShuffleNet v2's stride-1 unit: split the channels, transform one half, concat, shuffle. */
const shuffleUnit = (c: number) =>
  seq(
    L('concat', {
      branches: [
        L('channelSlice', { begin: 0, size: c / 2 }),
        seq(
          L('channelSlice', { begin: c / 2, size: c / 2 }),
          conv(c / 2, 1),
          L('batchNorm'),
          relu(),
          conv(c / 2, 3, { groups: c / 2 }),
          L('batchNorm'),
        ),
      ],
    }),
    L('channelShuffle', { groups: 2 }),
  );

const CASES: ParityCase[] = [
  {
    name: 'add: a basic block with a projection shortcut (stride 2), then one with an identity branch',
    json: seq(
      conv(4, 3),
      L('add', {
        branches: [
          seq(conv(6, 3, { stride: 2 }), L('batchNorm'), relu(), conv(6, 3), L('batchNorm')),
          seq(conv(6, 1, { stride: 2, bias: false }), L('batchNorm')),
        ],
      }),
      relu(),
      L('add', { branches: [seq(conv(6, 3), L('batchNorm'), relu(), conv(6, 3)), seq()] }),
      relu(),
      ...head(),
    ),
    inputShape: [7, 7, 3],
  },
  {
    name: 'add: three branches on vectors',
    json: seq(
      L('flatten'),
      L('dense', { units: 5 }),
      L('add', { branches: [L('dense', { units: 5 }), seq(), L('dense', { units: 5, activation: 'tanh' })] }),
      L('dense', { units: 3 }),
    ),
    inputShape: [2, 2, 2],
  },
  {
    name: 'multiply: squeeze-excitation gates giving [c] and [1, 1, c], and two equal maps',
    json: seq(
      conv(4, 3),
      L('multiply', {
        branches: [
          seq(),
          seq(
            L('globalPool2d'),
            L('dense', { units: 2, activation: 'relu' }),
            L('dense', { units: 4, activation: 'sigmoid' }),
          ),
        ],
      }),
      L('multiply', {
        branches: [
          seq(L('avgPool2d', { kernel: 5 }), L('conv2d', { filters: 4, kernel: 1, activation: 'sigmoid' })),
          seq(),
        ],
      }),
      L('multiply', { branches: [conv(4, 1), conv(4, 3, { activation: 'tanh' })] }),
      ...head(),
    ),
    inputShape: [5, 5, 3],
  },
  {
    name: 'channelShuffle after a grouped conv (3 groups); channelSlice in ShuffleNet v2 units',
    json: seq(
      conv(12, 1, { groups: 3, bias: false }),
      L('channelShuffle', { groups: 3 }),
      conv(12, 3, { groups: 12 }),
      shuffleUnit(12),
      shuffleUnit(12),
      L('channelSlice', { begin: 3, size: 7 }),
      ...head(),
    ),
    inputShape: [6, 5, 3],
  },
  {
    name: 'shortcut (option A): stride 2 on an odd map, channels 3 → 8 (odd extra), then stride 1 identity-like',
    json: seq(
      conv(3, 3),
      L('add', {
        branches: [
          seq(conv(8, 3, { stride: 2 }), L('batchNorm'), relu(), conv(8, 3), L('batchNorm')),
          L('shortcut', { stride: 2, filters: 8 }),
        ],
      }),
      relu(),
      L('add', { branches: [seq(conv(8, 3), L('batchNorm')), L('shortcut', { stride: 1, filters: 8 })] }),
      relu(),
      ...head(),
    ),
    inputShape: [7, 7, 3],
  },
];

describe.skipIf(!found.python)('PyTorch parity of the merge and channel layers', () => {
  let results: ParityResult[] = [];
  beforeAll(async () => {
    await initBackend('cpu');
    results = await torchParity(found.python as string, CASES);
  }, 300_000);

  it.each(CASES.map((c) => c.name))('%s', (name) => {
    const r = results.find((x) => x.name === name);
    expect(r?.error).toBeUndefined();
    if (!r) return;
    console.log(
      `${name}: forward ${r.forward.toExponential(2)}, grad ${r.grad.toExponential(2)} (${r.gradWeight}), stats ${r.stats.toExponential(2)}`,
    );
    expect(r.forward).toBeLessThan(1e-5 * Math.max(1, r.scale));
    expect(r.gradCount[0]).toBe(r.gradCount[1]);
    expect(r.gradCount[0]).toBeGreaterThan(0);
    expect(r.grad).toBeLessThan(1e-3);
    expect(r.stats).toBeLessThan(1e-5);
  });
});

describe('the merge layers in model.py', () => {
  const files = (json: LayerJSON, inputShape: number[]) => pytorchModelFiles(json, { inputShape })['model.py'] ?? '';

  it('writes a residual sum, a strided channel pad and an NCHW shuffle', () => {
    const model = files(CASES[4]?.json as LayerJSON, [7, 7, 3]);
    expect(model).toContain('[:, :, ::2, ::2], (0, 0, 0, 0, 2, 3))');
    expect(model).toMatch(/= \w+ \+ \w+\n/);
    const shuffled = files(seq(L('channelShuffle', { groups: 3 })), [4, 5, 12]);
    expect(shuffled).toContain('.reshape(-1, 3, 4, 4, 5).transpose(1, 2).reshape(-1, 12, 4, 5)');
  });

  it('refuses what it cannot write, naming the layer and what it received', () => {
    expect(() => files(seq(L('channelShuffle', { groups: 5, name: 'mix' })), [4, 4, 12])).toThrow(
      /mix \(channelShuffle\).*12 channels do not split into 5 groups/,
    );
    expect(() => files(seq(L('channelSlice', { begin: 8, size: 6, name: 'cut' })), [4, 4, 12])).toThrow(
      /cut \(channelSlice\).*\[8, 14\) do not fit in 12/,
    );
    expect(() => files(seq(L('shortcut', { stride: 2, filters: 2 })), [4, 4, 3])).toThrow(
      /filters 2 is fewer than the input's 3/,
    );
    expect(() => files(L('add', { branches: [conv(3, 1), conv(4, 1)], name: 'sum' }), [4, 4, 3])).toThrow(
      /sum \(add\).*\[4, 4, 3\], \[4, 4, 4\], which differ/,
    );
    expect(() => files(L('multiply', { branches: [] }), [4, 4, 3])).toThrow(/has no branches/);
  });
});
