import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  cpuBackendWithoutLeaks,
  maxRelativeError,
  pick,
  randomInt,
  randomValues,
  runWith,
  seededRandom,
} from '../../test/cpu-kernels.js';

type Pad = 'valid' | 'same' | number;
type Rounding = 'floor' | 'round' | 'ceil' | undefined;

interface Case {
  x: [number, number, number, number];
  filter: [number, number];
  strides: [number, number];
  pad: Pad;
  rounding: Rounding;
}

function randomCase(random: () => number): Case {
  const filter: [number, number] = [randomInt(random, 1, 4), randomInt(random, 1, 4)];
  const kind = pick(random, ['valid', 'same', 'number'] as const);
  // A numeric pad must leave every window at least one real pixel, as tfjs requires.
  const pad: Pad = kind === 'number' ? randomInt(random, 0, Math.min(filter[0], filter[1]) - 1) : kind;
  return {
    x: [
      randomInt(random, 1, 3),
      randomInt(random, filter[0], filter[0] + 7),
      randomInt(random, filter[1], filter[1] + 7),
      randomInt(random, 1, 5),
    ],
    filter,
    strides: [randomInt(random, 1, 3), randomInt(random, 1, 3)],
    pad,
    rounding: kind === 'number' ? pick(random, [undefined, 'floor', 'ceil'] as const) : undefined,
  };
}

/** Values of max pooling and of the gradient of `sum(maxPool(x) · r)`. */
function poolAndGrad(c: Case, xv: Float32Array, seed: number): () => tf.Tensor[] {
  return () => {
    const x = tf.tensor4d(xv, c.x);
    const pool = (xi: tf.Tensor) => tf.maxPool(xi as tf.Tensor4D, c.filter, c.strides, c.pad, c.rounding);
    const y = pool(x);
    const r = tf.tensor(randomValues(seededRandom(seed), y.size), y.shape);
    const [dx] = tf.grads((xi: tf.Tensor) => tf.sum(tf.mul(pool(xi), r)))([x]);
    return [y, dx as tf.Tensor];
  };
}

describe('cpu MaxPool and MaxPoolGrad', () => {
  cpuBackendWithoutLeaks();

  it('pools a hand-worked 4×4 image and routes the gradient to each maximum', () => {
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16], [1, 4, 4, 1]);
    const y = tf.maxPool(x, 2, 2, 'valid');
    expect([...y.dataSync()]).toEqual([6, 8, 14, 16]);
    const dy = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
    const dx = tf.engine().runKernel(tf.MaxPoolGrad, { dy, input: x, output: y }, {
      filterSize: 2,
      strides: 2,
      pad: 'valid',
    } as never) as tf.Tensor;
    expect([...dx.dataSync()]).toEqual([0, 0, 0, 0, 0, 1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4]);
    tf.dispose([x, y, dy, dx]);
  });

  it('gives a tie to the first maximum in row order, and handles all-negative windows', () => {
    const ties = tf.tensor4d([7, 7, 7, 7, -3, -1, -1, -2, -5], [1, 3, 3, 1]);
    const run = (x: tf.Tensor4D) => {
      const [dx] = tf.grads((xi: tf.Tensor) => tf.sum(tf.maxPool(xi as tf.Tensor4D, 2, 1, 'valid')))([x]);
      return dx as tf.Tensor;
    };
    const dx = run(ties);
    // Windows: [7,7,7,-3] → first 7 (index 0); [7,7,-3,-1] → index 1; [7,-3,-1,-2] → index 3; [-3,-1,-2,-5] → index 5.
    expect([...dx.dataSync()]).toEqual([1, 1, 0, 1, 0, 1, 0, 0, 0]);
    const pooled = tf.maxPool(ties, 2, 1, 'valid');
    expect([...pooled.dataSync()]).toEqual([7, 7, 7, -1]);
    tf.dispose([ties, dx, pooled]);
  });

  it("routes the gradient of a 'ceil'-rounded pool to every window, the partial ones included", () => {
    const x = tf.tensor4d(
      Array.from({ length: 25 }, (_, i) => i + 1),
      [1, 5, 5, 1],
    );
    const pool = (xi: tf.Tensor) => tf.maxPool(xi as tf.Tensor4D, 2, 2, 0, 'ceil');
    const y = pool(x);
    expect([...y.dataSync()]).toEqual([7, 9, 10, 17, 19, 20, 22, 24, 25]);
    const [dx] = tf.grads((xi: tf.Tensor) => tf.sum(pool(xi)))([x]);
    const expected = new Array(25).fill(0);
    for (const i of [6, 8, 9, 16, 18, 19, 21, 23, 24]) expected[i] = 1;
    expect([...(dx as tf.Tensor).dataSync()]).toEqual(expected);
    tf.dispose([x, y, dx as tf.Tensor]);
  });

  it('matches the stock kernels on 60 random geometries, with many ties', () => {
    const random = seededRandom(31);
    for (let trial = 0; trial < 60; trial++) {
      const c = randomCase(random);
      const size = c.x.reduce((p, q) => p * q);
      // Small integers make ties common; every third case is all negative.
      const xv = Float32Array.from({ length: size }, () => randomInt(random, -3, trial % 3 === 0 ? -1 : 3));
      const stock = runWith('stock', poolAndGrad(c, xv, trial));
      const ours = runWith('convkit', poolAndGrad(c, xv, trial));
      // tfjs-core's gradient drops dimRoundingMode, so where it changes the output size the stock
      // gradient is wrong (it ignores dy's last rows); convkit's is checked by hand below instead.
      const floorShape = tf.backend_util.computePool2DInfo(c.x, c.filter, c.strides, 1, c.pad).outShape;
      const roundedShape = tf.backend_util.computePool2DInfo(c.x, c.filter, c.strides, 1, c.pad, c.rounding).outShape;
      const roundingMatters = roundedShape.join() !== floorShape.join();
      if (roundingMatters) ours.pop();
      ours.forEach((values, i) => {
        // Pooled values are identical; overlapping windows add gradients in another order (float32 rounding).
        expect(
          maxRelativeError(values, stock[i] as Float32Array),
          `${i ? 'dx' : 'y'} ${JSON.stringify(c)}`,
        ).toBeLessThan(i ? 1e-6 : Number.MIN_VALUE);
      });
    }
  });

  it('gives the gradient of float64 central differences of a plain-loop max pool', () => {
    const random = seededRandom(8);
    for (let trial = 0; trial < 5; trial++) {
      const c: Case = { ...randomCase(random), pad: 'valid', rounding: undefined };
      const size = c.x.reduce((p, q) => p * q);
      // Distinct values 0.01 apart: a step of 1e-3 never changes which one is the maximum.
      const order = Array.from({ length: size }, (_, i) => i).sort(() => random() - 0.5);
      const xv = Float32Array.from(order, (i) => i * 0.01);
      const [y, dx] = runWith('convkit', poolAndGrad(c, xv, trial)) as [Float32Array, Float32Array];
      const r = Float64Array.from(randomValues(seededRandom(trial), y.length));
      const [batch, height, width, channels] = c.x;
      const [fh, fw] = c.filter;
      const [sh, sw] = c.strides;
      const outH = Math.floor((height - fh) / sh) + 1;
      const outW = Math.floor((width - fw) / sw) + 1;
      const objective = (x: Float64Array) => {
        let total = 0;
        let o = 0;
        for (let b = 0; b < batch; b++)
          for (let oy = 0; oy < outH; oy++)
            for (let ox = 0; ox < outW; ox++)
              for (let ch = 0; ch < channels; ch++, o++) {
                let best = Number.NEGATIVE_INFINITY;
                for (let ky = 0; ky < fh; ky++)
                  for (let kx = 0; kx < fw; kx++) {
                    best = Math.max(
                      best,
                      x[((b * height + oy * sh + ky) * width + ox * sw + kx) * channels + ch] as number,
                    );
                  }
                total += best * (r[o] as number);
              }
        return total;
      };
      const x64 = Float64Array.from(xv);
      const h = 1e-3;
      const numeric = x64.map((saved, i) => {
        x64[i] = saved + h;
        const up = objective(x64);
        x64[i] = saved - h;
        const down = objective(x64);
        x64[i] = saved;
        return (up - down) / (2 * h);
      });
      expect(maxRelativeError(dx, numeric), JSON.stringify(c)).toBeLessThan(1e-5);
    }
  });

  it('matches stock on continuous random values at LeNet and AlexNet-like shapes', () => {
    const random = seededRandom(4);
    const cases: Case[] = [
      { x: [3, 28, 28, 6], filter: [2, 2], strides: [2, 2], pad: 'valid', rounding: undefined },
      { x: [2, 27, 27, 8], filter: [3, 3], strides: [2, 2], pad: 'valid', rounding: undefined },
      { x: [2, 9, 11, 4], filter: [3, 3], strides: [2, 2], pad: 'same', rounding: undefined },
    ];
    cases.forEach((c, trial) => {
      const xv = randomValues(
        random,
        c.x.reduce((p, q) => p * q),
      );
      const stock = runWith('stock', poolAndGrad(c, xv, trial));
      const ours = runWith('convkit', poolAndGrad(c, xv, trial));
      ours.forEach((values, i) => {
        expect(maxRelativeError(values, stock[i] as Float32Array)).toBeLessThan(i ? 1e-6 : Number.MIN_VALUE);
      });
    });
  });
});
