import type { LayerJSON } from '@convkit/layers';
import { describe, expect, it } from 'vitest';
import { conv, L, MERGE_CASES, seq } from '../../test/merge-cases.js';
import { pytorchModelFiles } from './emit-model.js';

// What the merge and channel layers write into model.py, and what they refuse (no torch needed; their
// parity with convkit is parity.test.ts's MERGE_CASES).

const files = (json: LayerJSON, inputShape: number[]) => pytorchModelFiles(json, { inputShape })['model.py'] ?? '';

describe('the merge and channel layers in model.py', () => {
  it('writes a residual sum, a strided channel pad and an NCHW shuffle', () => {
    const optionA = MERGE_CASES.find((c) => c.name.startsWith('shortcut'));
    const model = files(optionA?.json as LayerJSON, [7, 7, 3]);
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
