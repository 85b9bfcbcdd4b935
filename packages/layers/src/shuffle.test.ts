import { spawnSync } from 'node:child_process';
import { initBackend } from '@convkit/backend';
import { ShapeError } from '@convkit/shape';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Conv2d } from './conv.js';
import { ConfigError } from './errors.js';
import { add } from './merge.js';
import { fromJSON } from './registry.js';
import { sequential } from './sequential.js';
import { ChannelShuffle, ChannelSlice, channelShuffle, channelSlice, Shortcut, shortcut } from './shuffle.js';
import { runLayerTest } from './testing/index.js';

beforeAll(async () => {
  await initBackend('cpu');
});

/** `[n, h, w, c]` values all distinct: element i is i. */
const counting = (shape: [number, number, number, number]) =>
  tf.tensor4d(
    Array.from({ length: shape.reduce((a, b) => a * b) }, (_, i) => i),
    shape,
  );

/** Oracle by hand: output channel k of a shuffle is input channel (k mod g)·(c/g) + ⌊k/g⌋, pixel by pixel. */
function naiveShuffle(x: number[], c: number, g: number): number[] {
  const out: number[] = [];
  for (let base = 0; base < x.length; base += c)
    for (let k = 0; k < c; k++) out.push(x[base + (k % g) * (c / g) + Math.floor(k / g)] as number);
  return out;
}

/** Oracle in loops: rows and columns 0, s, 2s, …, zero channels `before` ahead and the rest after. */
function naiveShortcut(
  x: number[],
  [n, h, w, c]: [number, number, number, number],
  s: number,
  filters: number,
): number[] {
  const before = Math.floor((filters - c) / 2);
  const out: number[] = [];
  for (let b = 0; b < n; b++)
    for (let i = 0; i < h; i += s)
      for (let j = 0; j < w; j += s)
        for (let k = 0; k < filters; k++) {
          const src = k - before;
          out.push(src >= 0 && src < c ? (x[((b * h + i) * w + j) * c + src] as number) : 0);
        }
  return out;
}

/** The first Python that imports torch, or undefined (the torch check is skipped). */
function findTorch(): string | undefined {
  const candidates = [process.env.PYTHON, 'python3', '/usr/bin/python3'].filter((p): p is string => !!p);
  return candidates.find((p) => spawnSync(p, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0);
}
const python = findTorch();

describe('ChannelShuffle', () => {
  it.each([
    [12, 3],
    [12, 4],
    [8, 2],
    [6, 1],
    [6, 6],
  ])('c = %i, g = %i: the hand-written permutation', async (c, g) => {
    const x = counting([2, 2, 3, c]);
    const y = channelShuffle({ groups: g }).build([2, 3, c]).apply(x);
    expect(Array.from(await y.data())).toEqual(naiveShuffle(Array.from(await x.data()), c, g));
    tf.dispose([x, y]);
  });

  it.skipIf(!python)('matches torch: x.view(n, g, c/g, h, w).transpose(1, 2) in NCHW', async () => {
    const [c, g] = [12, 3];
    const source = `import torch, json
x = torch.arange(${c}).view(1, ${c}, 1, 1)
y = x.view(1, ${g}, ${c / g}, 1, 1).transpose(1, 2).contiguous().view(1, ${c}, 1, 1)
print(json.dumps(y.flatten().tolist()))`;
    const run = spawnSync(python as string, ['-c', source], { encoding: 'utf8' });
    const torchOrder = JSON.parse(run.stdout) as number[];
    const x = counting([1, 1, 1, c]);
    const y = new ChannelShuffle({ groups: g }).build([1, 1, c]).apply(x);
    expect(Array.from(await y.data())).toEqual(torchOrder);
    tf.dispose([x, y]);
  });

  it('passes runLayerTest after a conv (gradients through the permutation)', async () => {
    const report = await runLayerTest(
      () => sequential([new Conv2d({ filters: 6, kernel: 3 }), new ChannelShuffle({ groups: 3 })]),
      { input: [5, 5, 2] },
    );
    expect(report.outputShape).toEqual([3, 3, 6]);
    expect(report.checkedGradients).toBeGreaterThan(0);
  });

  it('names the layer when the channels do not divide, and checks groups at construction', () => {
    expect(() => new ChannelShuffle({ groups: 4, name: 'shuffle3' }).outputShape([7, 7, 6])).toThrow(
      'shuffle3: 6 channels do not split into 4 groups: shuffle with a group count that divides 6',
    );
    expect(() => new ChannelShuffle({ groups: 4 }).outputShape([7, 7, 6])).toThrow(ShapeError);
    expect(() => new ChannelShuffle({ groups: 0 })).toThrow(ConfigError);
  });
});

describe('ChannelSlice', () => {
  it('keeps channels [begin, begin + size)', async () => {
    const x = counting([1, 2, 1, 5]);
    const y = channelSlice({ begin: 1, size: 3 }).build([2, 1, 5]).apply(x);
    expect(Array.from(await y.data())).toEqual([1, 2, 3, 6, 7, 8]);
    tf.dispose([x, y]);
  });

  it('passes runLayerTest after a conv', async () => {
    const report = await runLayerTest(
      () => sequential([new Conv2d({ filters: 6, kernel: 1 }), new ChannelSlice({ begin: 3, size: 3 })]),
      { input: [4, 4, 2] },
    );
    expect(report.outputShape).toEqual([4, 4, 3]);
  });

  it('names the layer when the slice overruns the channels', () => {
    expect(() => new ChannelSlice({ begin: 4, size: 3, name: 'split' }).outputShape([4, 4, 6])).toThrow(
      /^split: channels \[4, 7\) do not fit in 6 channels/,
    );
    expect(() => new ChannelSlice({ begin: -1, size: 3 })).toThrow(ConfigError);
  });
});

describe('Shortcut (option A)', () => {
  it.each([
    [[2, 5, 5, 2], 2, 4],
    [[1, 4, 6, 3], 2, 6],
    [[1, 3, 3, 2], 1, 5],
    [[1, 7, 7, 4], 3, 4],
  ])('%j, stride %i, %i filters: the naive loop', async (shape, stride, filters) => {
    const [n, h, w, c] = shape as [number, number, number, number];
    const x = counting([n, h, w, c]);
    const y = shortcut({ stride, filters }).build([h, w, c]).apply(x);
    expect(y.shape).toEqual([n, Math.ceil(h / stride), Math.ceil(w / stride), filters]);
    expect(Array.from(await y.data())).toEqual(
      naiveShortcut(Array.from(await x.data()), [n, h, w, c], stride, filters),
    );
    tf.dispose([x, y]);
  });

  it('passes runLayerTest in a CIFAR downsampling block', async () => {
    const report = await runLayerTest(
      () =>
        add([
          sequential([new Conv2d({ filters: 4, kernel: 3, stride: 2, padding: 1 })]),
          new Shortcut({ stride: 2, filters: 4 }),
        ]),
      { input: [6, 6, 2] },
    );
    expect(report.outputShape).toEqual([3, 3, 4]);
  });

  it('names the layer when filters are fewer than the input channels', () => {
    expect(() => new Shortcut({ stride: 2, filters: 8, name: 'optA' }).outputShape([8, 8, 16])).toThrow(
      /^optA: an option-A shortcut only adds zero channels, but 8 filters < 16 input channels/,
    );
  });

  it('the three round-trip through JSON', () => {
    for (const layer of [
      channelShuffle({ groups: 2 }),
      channelSlice({ begin: 0, size: 2 }),
      shortcut({ stride: 2, filters: 8 }),
    ]) {
      expect(fromJSON(layer.toJSON()).toJSON()).toEqual(layer.toJSON());
    }
  });
});
