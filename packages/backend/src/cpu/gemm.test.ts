import { describe, expect, it } from 'vitest';
import { maxRelativeError, randomInt, randomValues, seededRandom } from '../../test/cpu-kernels.js';
import { gemm, type MatrixView, rowMajor, transposed } from './gemm.js';

/** C = A·B in float64 with plain loops. */
function naiveProduct(m: number, n: number, k: number, a: MatrixView, b: MatrixView): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) {
        sum +=
          (a.data[a.offset + i * a.rowStride + p * a.colStride] as number) *
          (b.data[b.offset + p * b.rowStride + j * b.colStride] as number);
      }
      c[i * n + j] = sum;
    }
  }
  return c;
}

describe('gemm', () => {
  it('multiplies a hand-computed 2×2 product', () => {
    const c = new Float32Array(4);
    gemm(
      2,
      2,
      2,
      rowMajor(Float32Array.of(1, 2, 3, 4), 0, 2),
      rowMajor(Float32Array.of(5, 6, 7, 8), 0, 2),
      c,
      0,
      2,
      false,
    );
    expect([...c]).toEqual([19, 22, 43, 50]);
  });

  it('matches plain loops on random sizes, offsets and transposes, across block edges', () => {
    const random = seededRandom(11);
    const sizes = [
      [1, 1, 1],
      [3, 5, 2],
      [70, 9, 300],
      [5, 530, 17],
      [65, 66, 257],
    ];
    for (let trial = 0; trial < 30; trial++) {
      const [m, n, k] = (sizes[trial] ?? [
        randomInt(random, 1, 40),
        randomInt(random, 1, 40),
        randomInt(random, 0, 40),
      ]) as [number, number, number];
      const offsetA = randomInt(random, 0, 3);
      const offsetB = randomInt(random, 0, 3);
      const aData = randomValues(random, offsetA + m * k);
      const bData = randomValues(random, offsetB + k * n);
      const a = trial % 2 ? transposed(aData, offsetA, m) : rowMajor(aData, offsetA, k);
      const b = trial % 3 ? rowMajor(bData, offsetB, n) : transposed(bData, offsetB, k);
      const expected = naiveProduct(m, n, k, a, b);
      const ldc = n + (trial % 4);
      const c = new Float32Array(m * ldc).fill(Number.NaN);
      gemm(m, n, k, a, b, c, 0, ldc, false);
      const actual = Float64Array.from({ length: m * n }, (_, i) => c[Math.floor(i / n) * ldc + (i % n)] as number);
      expect(maxRelativeError(actual, expected), `${m}×${n}×${k}`).toBeLessThan(1e-5);
      // Accumulating adds a second product on top of the first.
      gemm(m, n, k, a, b, c, 0, ldc, true);
      const doubled = Float64Array.from({ length: m * n }, (_, i) => c[Math.floor(i / n) * ldc + (i % n)] as number);
      expect(
        maxRelativeError(
          doubled,
          expected.map((v) => 2 * v),
        ),
      ).toBeLessThan(1e-5);
    }
  });
});
