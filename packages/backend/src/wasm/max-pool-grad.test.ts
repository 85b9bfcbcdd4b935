import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { finiteDifference, host, maxRelativeError, runOn, seeded } from '../../test/wasm-oracles.js';
import { initBackend } from '../index.js';
import { isTiled2x2 } from './max-pool-grad.js';

type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;

function counts(): [number, number] {
  return [tf.memory().numTensors, tf.engine().backend.numDataIds()];
}

/** MaxPoolGrad's inputs for x: dy, and the forward output y (which the kernel receives but need not trust). */
async function poolGrad(
  backend: string,
  x: { values: Float32Array; shape: number[] },
  filterSize: number,
  strides: number,
  pad: Pad,
  dySeed: number,
): Promise<Float32Array> {
  await tf.setBackend('cpu');
  const y = tf.tidy(() =>
    tf.maxPool(tf.tensor4d(x.values, x.shape as [number, number, number, number]), filterSize, strides, pad),
  );
  const output = { values: (await y.data()) as Float32Array, shape: y.shape };
  y.dispose();
  const dy = { values: seeded(tf.util.sizeFromShape(output.shape), dySeed), shape: output.shape };
  const attrs = { filterSize, strides, pad };
  return (await runOn(backend, 'MaxPoolGrad', { dy, input: x, output }, attrs)).values;
}

describe('wasm MaxPoolGrad', () => {
  beforeAll(async () => {
    await initBackend('cpu', { kernels: 'stock' });
    await initBackend('wasm');
  });

  it('routes the gradient to each maximum of an all-negative 12×12 input (the stock kernel gets 37 of 144 wrong)', async () => {
    // x[i] = −1 − i/144: every window's maximum is its top-left element.
    const values = Float32Array.from({ length: 144 }, (_, i) => -1 - i / 144);
    const x = { values, shape: [1, 12, 12, 1] };
    const dx = await poolGrad('wasm', x, 2, 2, 'valid', 1);
    const dy = seeded(36, 1);
    const expected = new Float32Array(144);
    for (let r = 0; r < 6; r++) for (let c = 0; c < 6; c++) expected[2 * r * 12 + 2 * c] = dy[r * 6 + c] ?? 0;
    expect(Array.from(dx)).toEqual(Array.from(expected));
    expect(Array.from(dx)).toEqual(Array.from(await poolGrad('cpu', x, 2, 2, 'valid', 1)));
    // The stock kernel, in the same process, for the record: it is the reason this kernel exists.
    await initBackend('wasm', { kernels: 'stock' });
    const stock = await poolGrad('wasm', x, 2, 2, 'valid', 1);
    await initBackend('wasm');
    expect(stock.filter((v, i) => v !== expected[i]).length).toBeGreaterThan(0);
  });

  it('matches tfjs-cpu, ties included, on overlapping, strided and padded windows', async () => {
    await tf.setBackend('wasm');
    const before = counts();
    const cases: [number[], number, number, Pad][] = [
      [[2, 9, 9, 3], 3, 2, 'valid'], // AlexNet's overlapping pool
      [[2, 8, 8, 4], 2, 2, 'valid'],
      [[3, 7, 6, 2], 3, 1, 'same'],
      [[1, 7, 7, 5], 3, 2, 'same'],
      [[2, 6, 5, 3], 2, 3, 'same'],
      [[2, 10, 10, 2], 3, 3, 'valid'],
      [
        [2, 5, 6, 2],
        3,
        2,
        [
          [0, 0],
          [1, 1],
          [1, 0],
          [0, 0],
        ],
      ],
    ];
    for (const [i, [shape, size, stride, pad]] of cases.entries()) {
      for (const negative of [false, true]) {
        // Values on a coarse grid make ties common; shifted negative they test the stock bug too.
        const raw = seeded(tf.util.sizeFromShape(shape), 40 + i);
        const values = raw.map((v) => Math.round(v * 3) - (negative ? 5 : 0));
        const x = { values, shape };
        const cpu = await poolGrad('cpu', x, size, stride, pad, 60 + i);
        const wasm = await poolGrad('wasm', x, size, stride, pad, 60 + i);
        expect(maxRelativeError(wasm, cpu), `${shape} ${size} ${stride} ${JSON.stringify(pad)}`).toBeLessThan(1e-6);
      }
    }
    await tf.setBackend('wasm');
    expect(counts()).toEqual(before);
  });

  it('takes the tiled 2×2 loop exactly where windows are 2×2, stride 2, unpadded', () => {
    const info = (shape: number[], size: number, stride: number, pad: Pad) =>
      tf.backend_util.computePool2DInfo(shape as [number, number, number, number], size, stride, 1, pad);
    expect(isTiled2x2(info([64, 28, 28, 6], 2, 2, 'valid'))).toBe(true); // LeNet-5's pools
    expect(isTiled2x2(info([64, 10, 10, 16], 2, 2, 'valid'))).toBe(true);
    expect(isTiled2x2(info([2, 9, 7, 3], 2, 2, 'valid'))).toBe(true); // a row and a column left over
    expect(isTiled2x2(info([2, 8, 8, 3], 2, 2, 'same'))).toBe(true); // 'same' pads nothing here
    expect(isTiled2x2(info([2, 9, 7, 3], 2, 2, 'same'))).toBe(false); // pads the odd sides
    expect(isTiled2x2(info([2, 9, 9, 3], 3, 2, 'valid'))).toBe(false);
    expect(isTiled2x2(info([2, 8, 8, 3], 2, 1, 'valid'))).toBe(false);
  });

  it('the tiled 2×2 loop matches tfjs-cpu: ReLU zeros, ties, odd sizes, NaN and −Infinity windows', async () => {
    await tf.setBackend('wasm');
    const before = counts();
    for (const [i, shape] of [
      [4, 28, 28, 6],
      [3, 10, 10, 16],
      [2, 9, 7, 3],
      [1, 2, 2, 1],
    ].entries()) {
      const size = tf.util.sizeFromShape(shape);
      // ReLU of a normal-ish sample: half the values are 0, so many windows tie at 0.
      const relu = seeded(size, 90 + i).map((v) => Math.max(0, v));
      const grid = seeded(size, 95 + i).map((v) => Math.round(v * 2) - 1);
      for (const values of [relu, grid]) {
        const x = { values, shape };
        const cpu = await poolGrad('cpu', x, 2, 2, 'valid', 70 + i);
        const wasm = await poolGrad('wasm', x, 2, 2, 'valid', 70 + i);
        expect(Array.from(wasm), `${shape}`).toEqual(Array.from(cpu));
      }
    }
    // One 4×4 image, four windows: NaNs beside the maximum 4, all −Infinity, a four-way tie, all NaN.
    const [nan, inf] = [Number.NaN, Number.NEGATIVE_INFINITY];
    const values = Float32Array.from([nan, 1, inf, inf, 4, nan, inf, inf, 5, 5, nan, nan, 5, 5, nan, nan]);
    const x = { values, shape: [1, 4, 4, 1] };
    const dx = await poolGrad('wasm', x, 2, 2, 'valid', 3);
    const dy = seeded(4, 3);
    const expected = new Array(16).fill(0);
    expected[4] = dy[0];
    expected[8] = dy[2];
    expect(Array.from(dx)).toEqual(expected);
    expect(Array.from(dx)).toEqual(Array.from(await poolGrad('cpu', x, 2, 2, 'valid', 3)));
    await tf.setBackend('wasm');
    expect(counts()).toEqual(before);
  });

  it('the tiled 2×2 loop orders every float32 as tfjs-cpu does: ±0, ±Infinity, NaN, subnormals, extremes', async () => {
    const specials = [0, -0, 1, -1, 0.5, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN];
    specials.push(1e-45, -1e-45, 1.1754942e-38, 3.4028235e38, -3.4028235e38, 2 ** -20, -(2 ** -20));
    for (const [i, shape] of [
      [3, 8, 6, 5],
      [2, 7, 9, 3],
    ].entries()) {
      const picks = seeded(tf.util.sizeFromShape(shape), 120 + i);
      const values = Float32Array.from(picks, (v) => specials[Math.floor(Math.abs(v) * 1e4) % specials.length] ?? 0);
      const x = { values, shape };
      const cpu = await poolGrad('cpu', x, 2, 2, 'valid', 130 + i);
      const wasm = await poolGrad('wasm', x, 2, 2, 'valid', 130 + i);
      const differing = Array.from(wasm).filter((v, j) => !Object.is(v, cpu[j])).length;
      expect(differing, `${shape}`).toBe(0);
    }
  });

  it('agrees with finite differences of a float64 max pool', async () => {
    const shape = [2, 6, 7, 2];
    const x = host(shape, 77);
    const [size, stride] = [3, 2];
    const info = tf.backend_util.computePool2DInfo(shape as [number, number, number, number], size, stride, 1, 'same');
    const dy = seeded(tf.util.sizeFromShape(info.outShape), 78);
    const loss = (p: Float64Array) => {
      let total = 0;
      for (let b = 0; b < info.batchSize; b++) {
        for (let r = 0; r < info.outHeight; r++) {
          for (let c = 0; c < info.outWidth; c++) {
            for (let d = 0; d < info.inChannels; d++) {
              let best = Number.NEGATIVE_INFINITY;
              for (let i = r * stride - info.padInfo.top; i < r * stride - info.padInfo.top + size; i++) {
                for (let j = c * stride - info.padInfo.left; j < c * stride - info.padInfo.left + size; j++) {
                  if (i < 0 || j < 0 || i >= info.inHeight || j >= info.inWidth) continue;
                  best = Math.max(best, p[((b * info.inHeight + i) * info.inWidth + j) * info.inChannels + d] ?? 0);
                }
              }
              total += best * (dy[((b * info.outHeight + r) * info.outWidth + c) * info.inChannels + d] ?? 0);
            }
          }
        }
      }
      return total;
    };
    const expected = finiteDifference(Float64Array.from(x.values), loss, 1e-6);
    const wasm = await poolGrad('wasm', x, size, stride, 'same', 78);
    expect(maxRelativeError(wasm, expected)).toBeLessThan(1e-4);
  });
});
