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
import { conv2dChannelsLast, conv2dFilterGradChannelsLast, conv2dInputGradChannelsLast } from './conv2d.js';

type Pad = 'valid' | 'same' | number | [[0, 0], [number, number], [number, number], [0, 0]];
type Rounding = 'floor' | 'round' | 'ceil' | undefined;

interface Case {
  x: [number, number, number, number];
  w: [number, number, number, number];
  strides: [number, number];
  dilations: [number, number];
  pad: Pad;
  rounding: Rounding;
}

/** A random NHWC convolution the tfjs op accepts: strides or dilations are 1, and the output is not empty. */
function randomCase(random: () => number, withDilation: boolean): Case {
  const fh = randomInt(random, 1, 4);
  const fw = randomInt(random, 1, 4);
  const dilated = withDilation && random() < 0.5;
  const dilations: [number, number] = dilated ? [randomInt(random, 1, 3), randomInt(random, 1, 3)] : [1, 1];
  const strides: [number, number] = dilated ? [1, 1] : [randomInt(random, 1, 3), randomInt(random, 1, 3)];
  const effH = (fh - 1) * dilations[0] + 1;
  const effW = (fw - 1) * dilations[1] + 1;
  // tfjs-core computes a wrong (even negative) output size for a numeric pad with dilation: not a kernel matter.
  const kind = pick(
    random,
    dilated ? (['valid', 'same', 'explicit'] as const) : (['valid', 'same', 'number', 'explicit'] as const),
  );
  const pad: Pad =
    kind === 'number'
      ? randomInt(random, 0, 2)
      : kind === 'explicit'
        ? [
            [0, 0],
            [randomInt(random, 0, 2), randomInt(random, 0, 2)],
            [randomInt(random, 0, 2), randomInt(random, 0, 2)],
            [0, 0],
          ]
        : kind;
  const rounding: Rounding =
    kind === 'number' ? pick(random, [undefined, 'floor', 'round', 'ceil'] as const) : undefined;
  const inC = randomInt(random, 1, 5);
  return {
    x: [randomInt(random, 1, 3), randomInt(random, effH, effH + 8), randomInt(random, effW, effW + 8), inC],
    w: [fh, fw, inC, randomInt(random, 1, 6)],
    strides,
    dilations,
    pad,
    rounding,
  };
}

function describeCase(c: Case): string {
  return JSON.stringify(c);
}

/** Values of `tf.conv2d` and of the gradients of `sum(conv2d(x, w) · r)` for x and w, on one kernel set. */
function convAndGrads(c: Case, xv: Float32Array, wv: Float32Array, seed: number, grads: boolean): () => tf.Tensor[] {
  return () => {
    const x = tf.tensor4d(xv, c.x);
    const w = tf.tensor4d(wv, c.w);
    const conv = (xi: tf.Tensor4D, wi: tf.Tensor4D) =>
      tf.conv2d(xi, wi, c.strides, c.pad as 'valid', 'NHWC', c.dilations, c.rounding);
    const y = conv(x, w);
    if (!grads) return [y];
    const r = tf.tensor(randomValues(seededRandom(seed), y.size), y.shape);
    const [dx, dw] = tf.grads((xi: tf.Tensor, wi: tf.Tensor) =>
      tf.sum(tf.mul(conv(xi as tf.Tensor4D, wi as tf.Tensor4D), r)),
    )([x, w]);
    return [y, dx as tf.Tensor, dw as tf.Tensor];
  };
}

/** `sum(conv(x, w) · r)` in float64 with plain loops, geometry from first principles. */
function naiveObjective(c: Case, x: Float64Array, w: Float64Array, r: Float64Array): number {
  const [batch, inH, inW, inC] = c.x;
  const [fh, fw, , outC] = c.w;
  const [sh, sw] = c.strides;
  const pad = c.pad as [[0, 0], [number, number], [number, number], [0, 0]];
  const [top, bottom] = pad[1];
  const [left, right] = pad[2];
  const outH = Math.floor((inH + top + bottom - fh) / sh) + 1;
  const outW = Math.floor((inW + left + right - fw) / sw) + 1;
  let total = 0;
  let index = 0;
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        for (let co = 0; co < outC; co++, index++) {
          let sum = 0;
          for (let ky = 0; ky < fh; ky++) {
            const iy = oy * sh - top + ky;
            if (iy < 0 || iy >= inH) continue;
            for (let kx = 0; kx < fw; kx++) {
              const ix = ox * sw - left + kx;
              if (ix < 0 || ix >= inW) continue;
              for (let ci = 0; ci < inC; ci++) {
                sum +=
                  (x[((b * inH + iy) * inW + ix) * inC + ci] as number) *
                  (w[((ky * fw + kx) * inC + ci) * outC + co] as number);
              }
            }
          }
          total += sum * (r[index] as number);
        }
      }
    }
  }
  return total;
}

/** Central differences of `f` at `at`, one coordinate at a time. */
function centralDifferences(f: (v: Float64Array) => number, at: Float64Array, h: number): Float64Array {
  const gradient = new Float64Array(at.length);
  for (let i = 0; i < at.length; i++) {
    const saved = at[i] as number;
    at[i] = saved + h;
    const up = f(at);
    at[i] = saved - h;
    const down = f(at);
    at[i] = saved;
    gradient[i] = (up - down) / (2 * h);
  }
  return gradient;
}

describe('cpu Conv2D, Conv2DBackpropFilter, Conv2DBackpropInput', () => {
  cpuBackendWithoutLeaks();

  it('computes hand-worked 3×3 ⊛ 2×2 cases: forward, filter gradient, input gradient', () => {
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
    const diagonal = tf.tensor4d([1, 0, 0, 1], [2, 2, 1, 1]);
    const y = tf.conv2d(x, diagonal, 1, 'valid');
    expect([...y.dataSync()]).toEqual([6, 8, 12, 14]);
    const ones = tf.ones([1, 2, 2, 1]) as tf.Tensor4D;
    const [filterGrad] = tf.grads((w: tf.Tensor) => tf.sum(tf.conv2d(x, w as tf.Tensor4D, 1, 'valid')))([diagonal]);
    expect([...(filterGrad as tf.Tensor).dataSync()]).toEqual([12, 16, 24, 28]);
    const w = tf.tensor4d([1, 2, 3, 4], [2, 2, 1, 1]);
    const dx = tf.conv2dTranspose(ones, w, [1, 3, 3, 1], 1, 'valid');
    expect([...dx.dataSync()]).toEqual([1, 3, 2, 4, 10, 6, 3, 7, 4]);
    tf.dispose([x, diagonal, y, ones, filterGrad as tf.Tensor, w, dx]);
  });

  it('matches the stock kernels on 60 random geometries (strides, dilations, every padding form)', () => {
    const random = seededRandom(2024);
    for (let trial = 0; trial < 60; trial++) {
      const c = randomCase(random, true);
      const xv = randomValues(
        random,
        c.x.reduce((p, q) => p * q),
      );
      const wv = randomValues(
        random,
        c.w.reduce((p, q) => p * q),
      );
      // tfjs computes no gradients through dilated convolutions.
      const grads = c.dilations[0] === 1 && c.dilations[1] === 1;
      const stock = runWith('stock', convAndGrads(c, xv, wv, trial, grads));
      let ours: Float32Array[] = [];
      expect(() => {
        ours = runWith('convkit', convAndGrads(c, xv, wv, trial, grads));
      }, describeCase(c)).not.toThrow();
      ours.forEach((values, i) => {
        expect(
          maxRelativeError(values, stock[i] as Float32Array),
          `${['y', 'dx', 'dw'][i]} ${describeCase(c)}`,
        ).toBeLessThan(1e-4);
      });
    }
  });

  it('matches the stock kernels in NCHW (forward, and both backprop kernels called directly)', () => {
    const random = seededRandom(7);
    for (let trial = 0; trial < 8; trial++) {
      const c = randomCase(random, false);
      const [n, h, w, ch] = c.x;
      const xv = randomValues(random, n * h * w * ch);
      const wv = randomValues(
        random,
        c.w.reduce((p, q) => p * q),
      );
      const pad = Array.isArray(c.pad) ? 'same' : c.pad;
      const run = () => {
        const x = tf.tensor4d(xv, [n, ch, h, w]);
        const filter = tf.tensor4d(wv, c.w);
        const y = tf.conv2d(x, filter, c.strides, pad as 'same', 'NCHW', 1, c.rounding);
        const dy = tf.tensor(randomValues(seededRandom(trial), y.size), y.shape);
        const attrs = { strides: c.strides, pad, dataFormat: 'NCHW', dimRoundingMode: c.rounding };
        const dw = tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, { ...attrs, filterShape: c.w } as never);
        const dx = tf
          .engine()
          .runKernel(tf.Conv2DBackpropInput, { dy, filter }, { ...attrs, inputShape: x.shape } as never);
        return [y, dx as tf.Tensor, dw as tf.Tensor];
      };
      const ours = runWith('convkit', run);
      const stock = runWith('stock', run);
      ours.forEach((values, i) => {
        expect(maxRelativeError(values, stock[i] as Float32Array), `NCHW ${i} ${describeCase(c)}`).toBeLessThan(1e-4);
      });
    }
  });

  it('gives the same gradients as float64 central differences of a plain-loop convolution', () => {
    const random = seededRandom(99);
    for (let trial = 0; trial < 6; trial++) {
      const c = randomCase(random, false);
      // The reference spells padding out explicitly; use the explicit form here.
      c.pad = [
        [0, 0],
        [randomInt(random, 0, 2), randomInt(random, 0, 1)],
        [randomInt(random, 0, 1), randomInt(random, 0, 2)],
        [0, 0],
      ];
      c.rounding = undefined;
      const xv = randomValues(
        random,
        c.x.reduce((p, q) => p * q),
      );
      const wv = randomValues(
        random,
        c.w.reduce((p, q) => p * q),
      );
      const [y, dx, dw] = runWith('convkit', convAndGrads(c, xv, wv, trial, true)) as [
        Float32Array,
        Float32Array,
        Float32Array,
      ];
      const r = Float64Array.from(randomValues(seededRandom(trial), y.length));
      const x64 = Float64Array.from(xv);
      const w64 = Float64Array.from(wv);
      // The objective is bilinear, so central differences are exact up to float64 rounding.
      const numericDx = centralDifferences((v) => naiveObjective(c, v, w64, r), x64, 0.5);
      const numericDw = centralDifferences((v) => naiveObjective(c, x64, v, r), w64, 0.5);
      expect(maxRelativeError(dx, numericDx), `dx ${describeCase(c)}`).toBeLessThan(1e-5);
      expect(maxRelativeError(dw, numericDw), `dw ${describeCase(c)}`).toBeLessThan(1e-5);
    }
  });

  it('gives the same results when the patch matrix is built in several chunks', () => {
    const random = seededRandom(5);
    for (let trial = 0; trial < 6; trial++) {
      const c = randomCase(random, trial < 3);
      const info = tf.backend_util.computeConv2DInfo(c.x, c.w, c.strides, c.dilations, c.pad, c.rounding);
      const x = randomValues(
        random,
        c.x.reduce((p, q) => p * q),
      );
      const w = randomValues(
        random,
        c.w.reduce((p, q) => p * q),
      );
      const dy = randomValues(
        random,
        info.outShape.reduce((p, q) => p * q),
      );
      const depth = c.w[0] * c.w[1] * c.w[2];
      const small = depth * 5; // 5 output pixels per chunk
      expect([...conv2dChannelsLast(x, w, info, small)]).toEqual([...conv2dChannelsLast(x, w, info)]);
      if (c.dilations[0] === 1 && c.dilations[1] === 1) {
        const whole = conv2dFilterGradChannelsLast(x, dy, info);
        expect(maxRelativeError(conv2dFilterGradChannelsLast(x, dy, info, small), whole)).toBeLessThan(1e-6);
        expect([...conv2dInputGradChannelsLast(dy, w, info, small)]).toEqual([
          ...conv2dInputGradChannelsLast(dy, w, info),
        ]);
      }
    }
  });

  it('takes the pointwise shortcut for 1×1 convolutions and still matches stock', () => {
    const random = seededRandom(3);
    const c: Case = {
      x: [2, 5, 4, 7],
      w: [1, 1, 7, 3],
      strides: [1, 1],
      dilations: [1, 1],
      pad: 'valid',
      rounding: undefined,
    };
    const xv = randomValues(random, 2 * 5 * 4 * 7);
    const wv = randomValues(random, 21);
    const ours = runWith('convkit', convAndGrads(c, xv, wv, 1, true));
    const stock = runWith('stock', convAndGrads(c, xv, wv, 1, true));
    ours.forEach((values, i) => {
      expect(maxRelativeError(values, stock[i] as Float32Array)).toBeLessThan(1e-4);
    });
  });
});
