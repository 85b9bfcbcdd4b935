import { initBackend } from '@convkit/backend';
import { ShapeError } from '@convkit/shape';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Conv2d } from './conv.js';
import { sequential } from './sequential.js';
import { summary } from './summary.js';
import { runLayerTest } from './testing/index.js';
import { type ZeroPadding, ZeroPadding2d } from './zero-pad.js';

beforeAll(async () => {
  await initBackend('cpu');
});

type Sides = [top: number, bottom: number, left: number, right: number];

/** Independent oracle: copy each pixel to its shifted place in a zero-filled NHWC array. */
function naivePad(x: number[], [n, h, w, c]: [number, number, number, number], [top, bottom, left, right]: Sides) {
  const [oh, ow] = [h + top + bottom, w + left + right];
  const out = new Array<number>(n * oh * ow * c).fill(0);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < h; i++)
      for (let j = 0; j < w; j++)
        for (let ch = 0; ch < c; ch++)
          out[((b * oh + i + top) * ow + j + left) * c + ch] = x[((b * h + i) * w + j) * c + ch] as number;
  return { shape: [n, oh, ow, c], values: out };
}

const cases: [string, ZeroPadding, Sides][] = [
  ['1 all around', 1, [1, 1, 1, 1]],
  ['[1, 2]: rows, columns', [1, 2], [1, 1, 2, 2]],
  [
    '[[0, 1], [0, 1]]: bottom and right',
    [
      [0, 1],
      [0, 1],
    ],
    [0, 1, 0, 1],
  ],
  ['[[2, 0], 3]', [[2, 0], 3], [2, 0, 3, 3]],
  ['0: identity', 0, [0, 0, 0, 0]],
];

describe('ZeroPadding2d passes runLayerTest', () => {
  it.each(cases)('%s', async (_, padding) => {
    await runLayerTest(() => new ZeroPadding2d({ padding }), { input: [4, 3, 2] });
  });

  it('before a strided convolution: gradients reach the kernel through the padding', async () => {
    const report = await runLayerTest(
      () =>
        sequential([
          new ZeroPadding2d({
            padding: [
              [0, 1],
              [0, 1],
            ],
          }),
          new Conv2d({ filters: 3, kernel: 3, stride: 2 }),
        ]),
      { input: [6, 6, 2] },
    );
    expect(report.outputShape).toEqual([3, 3, 3]);
  });
});

describe('ZeroPadding2d against a plain loop', () => {
  it.each(cases)('%s', async (_, padding, sides) => {
    const shape: [number, number, number, number] = [2, 3, 4, 2];
    const x = tf.randomNormal(shape, 0, 1, 'float32', 2);
    const layer = new ZeroPadding2d({ padding }).build(shape.slice(1));
    const y = layer.apply(x);
    const expected = naivePad(Array.from(await x.data()), shape, sides);
    expect(y.shape).toEqual(expected.shape);
    expect(layer.outputShape(shape.slice(1))).toEqual(expected.shape.slice(1));
    expect(Array.from(await y.data())).toEqual(expected.values);
    tf.dispose([x, y]);
    layer.dispose();
  });
});

describe('ZeroPadding2d spec and configuration', () => {
  it('declares a pad spec, which summary and receptive fields see', () => {
    expect(new ZeroPadding2d({ name: 'pad', padding: [1, [0, 2]] }).specs([8, 8, 3])).toEqual([
      { type: 'pad', name: 'pad', padding: [1, [0, 2]] },
    ]);
    const s = summary(
      sequential([new ZeroPadding2d({ padding: 3 }), new Conv2d({ filters: 64, kernel: 7, stride: 2 })]),
      {
        input: [224, 224, 3],
      },
    );
    expect(s.output).toEqual([112, 112, 64]);
  });

  it('serializes as plain JSON', () => {
    const layer = new ZeroPadding2d({ name: 'zp', padding: [[0, 1], 2] });
    expect(JSON.parse(JSON.stringify(layer.toJSON()))).toEqual({
      type: 'zeroPadding2d',
      config: { name: 'zp', padding: [[0, 1], 2] },
    });
  });

  it.each([
    ['-1', -1, '-1'],
    ['1.5', 1.5, '1.5'],
    ["'same'", 'same', '"same"'],
    ['[1, 2, 3]', [1, 2, 3], '[1,2,3]'],
    ['[[1, -1], 0]', [[1, -1], 0], '[[1,-1],0]'],
  ])('rejects padding %s with a ShapeError naming the layer', (_, padding, shown) => {
    const make = () => new ZeroPadding2d({ name: 'zp1', padding: padding as never });
    expect(make).toThrow(ShapeError);
    expect(make).toThrow(`zp1: zero padding takes integers ≥ 0`);
    expect(make).toThrow(`received ${shown}`);
  });
});
