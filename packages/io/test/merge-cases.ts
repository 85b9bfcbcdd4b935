/**
 * The merge and channel layers (add, multiply, channelShuffle, channelSlice, shortcut) in small models
 * whose model.py parity.test.ts compares with convkit: residual blocks with projection and identity
 * shortcuts, squeeze-excitation gates, ShuffleNet v2 units and option-A shortcuts at odd sizes.
 */
import type { LayerJSON } from '@convkit/layers';
import type { ParityCase } from './torch-compare.js';

export const seq = (...layers: LayerJSON[]): LayerJSON => ({ type: 'sequential', config: { layers } });
export const L = (type: string, config: Record<string, unknown> = {}): LayerJSON => ({ type, config });
export const conv = (filters: number, kernel: number, extra: Record<string, unknown> = {}) =>
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

/** Small models around each merge and channel layer, for parity.test.ts. */
export const MERGE_CASES: ParityCase[] = [
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
