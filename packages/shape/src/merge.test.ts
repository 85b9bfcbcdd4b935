import { describe, expect, it } from 'vitest';
import { ShapeError } from './errors.js';
import { mergeOutput, shortcutOutput, shortcutPadding, shuffleOutput, sliceOutput } from './merge.js';
import type { LayerSpec } from './specs.js';
import { trace } from './trace.js';

const conv3: LayerSpec = { type: 'conv', filters: 64, kernel: 3, padding: 1, bias: false };
const bn: LayerSpec = { type: 'batchNorm' };
const relu: LayerSpec = { type: 'activation', fn: 'relu' };

describe('mergeOutput', () => {
  it('add: equal shapes give that shape; an empty branch is the input', () => {
    expect(
      mergeOutput(
        'res2a',
        'add',
        [56, 56, 64],
        [
          [56, 56, 64],
          [56, 56, 64],
        ],
      ),
    ).toEqual([56, 56, 64]);
    expect(mergeOutput('sum', 'add', [10], [[10], [10], [10]])).toEqual([10]);
  });

  it('add: names the layer, lists every branch and suggests a projection or option A', () => {
    let error: unknown;
    try {
      mergeOutput(
        'res3a',
        'add',
        [56, 56, 64],
        [
          [28, 28, 128],
          [56, 56, 64],
        ],
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ShapeError);
    expect((error as ShapeError).op).toBe('res3a');
    expect((error as ShapeError).message).toBe(
      "res3a: added branches must give equal shapes, but branch 1 does not (branch 0 gives [28, 28, 128], branch 1 gives [56, 56, 64]): give the shortcut a projection (a 1×1 conv with the block's stride) or option A (`shortcut`)",
    );
    expect(() => mergeOutput('empty', 'add', [4, 4, 2], [])).toThrow(
      'empty: an add needs at least one branch, received none',
    );
  });

  it('multiply: [c] and [1, 1, c] gates broadcast over [h, w, c]; other channel counts are errors', () => {
    expect(mergeOutput('se', 'multiply', [7, 7, 32], [[7, 7, 32], [32]])).toEqual([7, 7, 32]);
    expect(
      mergeOutput(
        'se',
        'multiply',
        [7, 7, 32],
        [
          [1, 1, 32],
          [7, 7, 32],
        ],
      ),
    ).toEqual([7, 7, 32]);
    expect(mergeOutput('gates', 'multiply', [7, 7, 32], [[32], [1, 1, 32]])).toEqual([1, 1, 32]);
    expect(() => mergeOutput('se', 'multiply', [7, 7, 32], [[7, 7, 32], [16]])).toThrow(
      /^se: multiplied branches must give equal shapes or a \[c\] \/ \[1, 1, c\] gate of the same channels, but branch 1 does not \(branch 0 gives \[7, 7, 32\], branch 1 gives \[16\]\)/,
    );
    expect(() =>
      mergeOutput(
        'm',
        'multiply',
        [8, 8, 4],
        [
          [8, 8, 4],
          [4, 4, 4],
        ],
      ),
    ).toThrow(ShapeError);
  });
});

describe('shuffle, slice, shortcut shapes', () => {
  it('shuffle keeps the shape and needs c divisible by groups', () => {
    expect(shuffleOutput('s', [28, 28, 240], 4)).toEqual([28, 28, 240]);
    expect(() => shuffleOutput('s', [28, 28, 6], 4)).toThrow(
      's: 6 channels do not split into 4 groups: shuffle with a group count that divides 6',
    );
    expect(() => shuffleOutput('s', [240], 4)).toThrow(/s: shuffle needs an input of \[height, width, channels\]/);
  });

  it('slice keeps [begin, begin + size)', () => {
    expect(sliceOutput('split', [28, 28, 116], 58, 58)).toEqual([28, 28, 58]);
    expect(() => sliceOutput('split', [28, 28, 116], 60, 58)).toThrow(
      'split: channels [60, 118) do not fit in 116 channels: keep begin + size ≤ 116',
    );
    expect(() => sliceOutput('split', [28, 28, 116], -1, 58)).toThrow(/begin must be an integer ≥ 0, received -1/);
  });

  it('option A: ⌈h/s⌉ × ⌈w/s⌉ × filters, channels padded half before and half after', () => {
    expect(shortcutOutput('a', [32, 32, 16], 2, 32)).toEqual([16, 16, 32]);
    expect(shortcutOutput('a', [7, 5, 3], 2, 3)).toEqual([4, 3, 3]);
    // The CIFAR convention: F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, planes // 4, planes // 4)) for planes = 2c.
    expect(shortcutPadding(16, 32)).toEqual([8, 8]);
    expect(shortcutPadding(3, 6)).toEqual([1, 2]);
    expect(() => shortcutOutput('a', [8, 8, 16], 2, 8)).toThrow(/^a: an option-A shortcut only adds zero channels/);
  });
});

describe('trace through residual blocks', () => {
  it('a 3×3, 3×3 branch plus the identity sees 5×5 (the union with the identity’s 1×1)', () => {
    const t = trace([32, 32, 64], [{ type: 'add', name: 'block', branches: [[conv3, bn, relu, conv3, bn], []] }]);
    const row = t.rows[0];
    expect(row?.outputShape).toEqual([32, 32, 64]);
    // By hand: 1 + (3 − 1) + (3 − 1) = 5 at jump 1, centred on the pixel (start 0); the identity's 1×1 lies inside it.
    expect(row?.receptiveField).toEqual({ size: [5, 5], jump: [1, 1], start: [0, 0] });
    expect(row?.branches?.map((b) => b.length)).toEqual([5, 0]);
  });

  it('a stride-2 block with an option-A shortcut: field 3+2·2 = 7 at jump 2', () => {
    const t = trace(
      [32, 32, 16],
      [
        {
          type: 'add',
          branches: [
            [{ ...conv3, filters: 32, stride: 2 }, relu, { ...conv3, filters: 32 }],
            [{ type: 'shortcut', stride: 2, filters: 32 }],
          ],
        },
      ],
    );
    const row = t.rows[0];
    expect(row?.outputShape).toEqual([16, 16, 32]);
    // conv s2 (3): size 3, jump 2, start 0 (pad 1 before: 0 + (1 − 1)·1); conv s1: size 3 + 2·2 = 7.
    // The shortcut's 1×1 at stride 2 samples pixel 0: size 1, start 0 — inside the branch's field.
    expect(row?.receptiveField).toEqual({ size: [7, 7], jump: [2, 2], start: [0, 0] });
    expect(t.totals.params).toBe(3 * 3 * 16 * 32 + 3 * 3 * 32 * 32);
  });

  it('params and MACs of a basic block summed by hand; the add counts 0 MACs', () => {
    const t = trace([56, 56, 64], [{ type: 'add', branches: [[conv3, bn, relu, conv3, bn], []] }]);
    expect(t.totals.trainable).toBe(2 * 3 * 3 * 64 * 64 + 2 * 2 * 64);
    expect(t.totals.nonTrainable).toBe(2 * 2 * 64);
    expect(t.totals.macs).toBe(2 * 56 * 56 * 64 * 3 * 3 * 64);
  });

  it('an SE gate multiplies: the field is global once a branch pools globally', () => {
    const t = trace(
      [7, 7, 32],
      [
        {
          type: 'multiply',
          branches: [[], [{ type: 'globalPool' }, { type: 'dense', units: 8 }, { type: 'dense', units: 32 }]],
        },
      ],
    );
    expect(t.output).toEqual([7, 7, 32]);
    expect(t.rows[0]?.receptiveField).toBeUndefined();
    expect(t.totals.params).toBe(32 * 8 + 8 + 8 * 32 + 32);
  });

  it('a mismatched residual names the layer in trace too', () => {
    expect(() =>
      trace([8, 8, 4], [{ type: 'add', name: 'res', branches: [[{ type: 'conv', filters: 8, kernel: 1 }], []] }]),
    ).toThrow(
      /^res: added branches must give equal shapes, but branch 1 does not \(branch 0 gives \[8, 8, 8\], branch 1 gives \[8, 8, 4\]\)/,
    );
    expect(() => trace([8, 8, 4], [{ type: 'add', name: 'res', branches: [] }])).toThrow(
      'res: an add needs at least one branch, received none',
    );
  });

  it('shuffle and slice keep the field; slice cuts the channels', () => {
    const t = trace([8, 8, 12], [conv3, { type: 'shuffle', groups: 4 }, { type: 'slice', begin: 32, size: 32 }]);
    expect(t.output).toEqual([8, 8, 32]);
    expect(t.rows.map((r) => r.receptiveField?.size)).toEqual([
      [3, 3],
      [3, 3],
      [3, 3],
    ]);
  });
});
