import { initBackend } from '@convkit/backend';
import type { LayerJSON } from '@convkit/layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { MERGE_CASES } from '../../test/merge-cases.js';
import { findTorch } from '../../test/python.js';
import { type ParityCase, type ParityResult, torchParity } from '../../test/torch-compare.js';

// The built-in emitters' model.py against convkit itself: the same weights (biases and batch-norm
// statistics randomized) and batch, then the inference output (1e-5), every weight's training-mode loss
// gradient (1e-3 relative) and the running statistics after that step (1e-5). Skips without torch.

const found = findTorch();
console.log(`PyTorch parity of the built-in layers: ${found.python ? 'running with' : 'skipped:'} ${found.why}`);

const seq = (...layers: LayerJSON[]): LayerJSON => ({ type: 'sequential', config: { layers } });
const L = (type: string, config: Record<string, unknown> = {}): LayerJSON => ({ type, config });
/** A 1×1 conv in front (so pools' and activations' backward reach a weight) and a dense head behind. */
const around = (...middle: LayerJSON[]) =>
  seq(L('conv2d', { filters: 4, kernel: 1 }), ...middle, L('flatten'), L('dense', { units: 3 }));

const ACTIVATIONS = ['relu', 'relu6', 'elu', 'selu', 'tanh', 'sigmoid', 'softplus', 'softmax', 'swish', 'silu'];
const MORE_ACTIVATIONS = ['gelu', 'geluTanh', 'mish', 'hardSwish', 'hardSigmoid', 'linear'];

const CASES: ParityCase[] = [
  {
    name: 'conv2d: same with stride 2 (asymmetric pad), even kernel, groups, no bias, dilation; zero padding; dense',
    json: seq(
      L('conv2d', { filters: 6, kernel: 3, stride: 2, padding: 'same', activation: 'relu' }),
      L('conv2d', { filters: 6, kernel: 2, padding: 'same', groups: 3, bias: false, activation: 'tanh' }),
      L('conv2d', { filters: 4, kernel: 3, dilation: 2, padding: 2, stride: [1, 2] }),
      L('zeroPadding2d', {
        padding: [
          [1, 0],
          [0, 2],
        ],
      }),
      L('flatten'),
      L('dense', { units: 5, activation: 'softplus' }),
      L('dense', { units: 3, bias: false }),
    ),
    inputShape: [10, 10, 3],
  },
  {
    name: 'maxPool2d: 3/2 ceil mode, same; avgPool2d: ceil mode with padding, countIncludePad, same',
    json: around(
      L('maxPool2d', { kernel: 3, stride: 2, ceilMode: true }),
      L('avgPool2d', { kernel: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: true }),
      L('maxPool2d', { kernel: 2, stride: 1, padding: 'same' }),
      L('avgPool2d', { kernel: 3, stride: 1, padding: 1, ceilMode: true }),
      L('avgPool2d', { kernel: 2, stride: 2, padding: 'same' }),
    ),
    inputShape: [12, 11, 2],
  },
  {
    name: 'globalPool2d max and avg in concat branches, batchNorm on maps and on vectors, dropout',
    json: seq(
      L('conv2d', { filters: 4, kernel: 3, padding: 1 }),
      L('batchNorm', { momentum: 0.8, epsilon: 1e-3 }),
      L('activation', { fn: 'leakyRelu', alpha: 0.2 }),
      L('concat', {
        branches: [
          L('conv2d', { filters: 2, kernel: 1 }),
          seq(L('avgPool2d', { kernel: 3, stride: 1, padding: 1 }), L('dropout', { rate: 0.5 })),
        ],
      }),
      L('globalPool2d', { mode: 'max' }),
      L('dense', { units: 6 }),
      L('batchNorm', { scale: false }),
      L('batchNorm', { center: false, name: 'bn-last' }),
      L('dense', { units: 3 }),
    ),
    inputShape: [5, 6, 3],
    batch: 6,
  },
  {
    name: 'activations side by side in a concat',
    json: seq(
      L('conv2d', { filters: 4, kernel: 1 }),
      L('concat', { branches: MORE_ACTIVATIONS.map((fn) => L('activation', { fn })) }),
      L('flatten'),
      L('dense', { units: 3, activation: 'hardSwish' }),
    ),
    inputShape: [3, 3, 2],
  },
  ...[...ACTIVATIONS, ...MORE_ACTIVATIONS].map((fn) => ({
    name: `activation ${fn}`,
    json: seq(
      L('conv2d', { filters: 4, kernel: 1 }),
      L('activation', { fn }),
      L('globalPool2d'),
      L('dense', { units: 3, activation: fn }),
    ),
    inputShape: [3, 3, 2],
  })),
  ...MERGE_CASES,
];

describe.skipIf(!found.python)('PyTorch parity of the built-in layers', () => {
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
