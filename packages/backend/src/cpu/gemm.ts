import { Scratch } from './scratch.js';

// A single-threaded SGEMM in plain TypeScript, laid out the way GotoBLAS
// lays out native ones: blocks of A and B are copied ("packed") into small
// contiguous panels that stay in cache, and a 4×4 micro-kernel keeps sixteen
// partial sums in registers while it streams one 4-row strip of A against
// one 4-column strip of B. V8 does not vectorize, so what wins here is few
// memory operations per multiply-add: 8 loads for 16 of them, against 2 or 3
// loads per multiply-add in a naive loop. Sums are kept in float64 until
// they are stored, which makes results closer to exact than tfjs' own.

/** A strided view of a matrix in a Float32Array: element (i, j) is `data[offset + i*rowStride + j*colStride]`. */
export interface MatrixView {
  data: Float32Array;
  offset: number;
  rowStride: number;
  colStride: number;
}

/** A row-major matrix with rows `stride` apart. */
export function rowMajor(data: Float32Array, offset: number, stride: number): MatrixView {
  return { data, offset, rowStride: stride, colStride: 1 };
}

/** The transpose of a row-major matrix whose rows are `stride` apart, without copying it. */
export function transposed(data: Float32Array, offset: number, stride: number): MatrixView {
  return { data, offset, rowStride: 1, colStride: stride };
}

const MR = 4;
const NR = 4;
/** Rows of A per packed block: 64 × KC floats = 64 KiB, in L2. */
const MC = 64;
/** Depth of a block: a 4 × KC strip of A and a KC × 4 strip of B stay in L1. */
const KC = 256;
/** Columns of B per packed block: KC × 512 floats = 512 KiB, in L2 on current x86 cores. */
const NC = 512;

const packedA = new Scratch();
const packedB = new Scratch();

/**
 * `C = A·B` (or `C += A·B` with `accumulate`) for an `m×k` A and a `k×n` B
 * given as strided views, so transposed operands cost nothing extra. C is
 * row-major with rows `ldc` apart, starting at `cOffset`.
 */
export function gemm(
  m: number,
  n: number,
  k: number,
  a: MatrixView,
  b: MatrixView,
  c: Float32Array,
  cOffset: number,
  ldc: number,
  accumulate: boolean,
): void {
  if (m === 0 || n === 0) return;
  if (k === 0) {
    if (!accumulate) for (let i = 0; i < m; i++) c.fill(0, cOffset + i * ldc, cOffset + i * ldc + n);
    return;
  }
  const bPanel = packedB.get(KC * roundUp(Math.min(n, NC), NR));
  const aPanel = packedA.get(KC * roundUp(Math.min(m, MC), MR));
  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      packB(b, pc, jc, kc, nc, bPanel);
      // The first depth block overwrites C unless asked to accumulate: C is never zero-filled first.
      const overwrite = pc === 0 && !accumulate;
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        packA(a, ic, pc, mc, kc, aPanel);
        for (let jr = 0; jr < nc; jr += NR) {
          const cols = Math.min(NR, nc - jr);
          const bStrip = jr * kc;
          for (let ir = 0; ir < mc; ir += MR) {
            const rows = Math.min(MR, mc - ir);
            const cTile = cOffset + (ic + ir) * ldc + jc + jr;
            microKernel(aPanel, ir * kc, bPanel, bStrip, kc, c, cTile, ldc, rows, cols, overwrite);
          }
        }
      }
    }
  }
}

function roundUp(value: number, multiple: number): number {
  return Math.ceil(value / multiple) * multiple;
}

/** Copies rows [i0, i0+mc) × depth [p0, p0+kc) of A into 4-row strips, k-major inside a strip, zero-padded. */
function packA(a: MatrixView, i0: number, p0: number, mc: number, kc: number, out: Float32Array): void {
  const { data, rowStride, colStride } = a;
  for (let ir = 0; ir < mc; ir += MR) {
    const strip = ir * kc;
    for (let r = 0; r < MR; r++) {
      if (ir + r < mc) {
        let src = a.offset + (i0 + ir + r) * rowStride + p0 * colStride;
        for (let p = 0, dst = strip + r; p < kc; p++, dst += MR, src += colStride) out[dst] = data[src] as number;
      } else {
        for (let p = 0, dst = strip + r; p < kc; p++, dst += MR) out[dst] = 0;
      }
    }
  }
}

/** Copies depth [p0, p0+kc) × columns [j0, j0+nc) of B into 4-column strips, k-major inside a strip, zero-padded. */
function packB(b: MatrixView, p0: number, j0: number, kc: number, nc: number, out: Float32Array): void {
  const { data, rowStride, colStride } = b;
  for (let jr = 0; jr < nc; jr += NR) {
    const strip = jr * kc;
    const cols = Math.min(NR, nc - jr);
    for (let p = 0; p < kc; p++) {
      const src = b.offset + (p0 + p) * rowStride + (j0 + jr) * colStride;
      const dst = strip + p * NR;
      for (let r = 0; r < NR; r++) out[dst + r] = r < cols ? (data[src + r * colStride] as number) : 0;
    }
  }
}

/** Adds one 4×4 tile of A·B to C; `rows`/`cols` < 4 at the matrix edges. */
function microKernel(
  a: Float32Array,
  pa: number,
  b: Float32Array,
  pb: number,
  kc: number,
  c: Float32Array,
  pc: number,
  ldc: number,
  rows: number,
  cols: number,
  overwrite: boolean,
): void {
  let c00 = 0,
    c01 = 0,
    c02 = 0,
    c03 = 0;
  let c10 = 0,
    c11 = 0,
    c12 = 0,
    c13 = 0;
  let c20 = 0,
    c21 = 0,
    c22 = 0,
    c23 = 0;
  let c30 = 0,
    c31 = 0,
    c32 = 0,
    c33 = 0;
  const end = pa + kc * MR;
  for (; pa < end; pa += MR, pb += NR) {
    const a0 = a[pa] as number,
      a1 = a[pa + 1] as number,
      a2 = a[pa + 2] as number,
      a3 = a[pa + 3] as number;
    const b0 = b[pb] as number,
      b1 = b[pb + 1] as number,
      b2 = b[pb + 2] as number,
      b3 = b[pb + 3] as number;
    c00 += a0 * b0;
    c01 += a0 * b1;
    c02 += a0 * b2;
    c03 += a0 * b3;
    c10 += a1 * b0;
    c11 += a1 * b1;
    c12 += a1 * b2;
    c13 += a1 * b3;
    c20 += a2 * b0;
    c21 += a2 * b1;
    c22 += a2 * b2;
    c23 += a2 * b3;
    c30 += a3 * b0;
    c31 += a3 * b1;
    c32 += a3 * b2;
    c33 += a3 * b3;
  }
  if (rows === MR && cols === NR && overwrite) {
    c[pc] = c00;
    c[pc + 1] = c01;
    c[pc + 2] = c02;
    c[pc + 3] = c03;
    pc += ldc;
    c[pc] = c10;
    c[pc + 1] = c11;
    c[pc + 2] = c12;
    c[pc + 3] = c13;
    pc += ldc;
    c[pc] = c20;
    c[pc + 1] = c21;
    c[pc + 2] = c22;
    c[pc + 3] = c23;
    pc += ldc;
    c[pc] = c30;
    c[pc + 1] = c31;
    c[pc + 2] = c32;
    c[pc + 3] = c33;
    return;
  }
  if (rows === MR && cols === NR) {
    c[pc] = (c[pc] as number) + c00;
    c[pc + 1] = (c[pc + 1] as number) + c01;
    c[pc + 2] = (c[pc + 2] as number) + c02;
    c[pc + 3] = (c[pc + 3] as number) + c03;
    pc += ldc;
    c[pc] = (c[pc] as number) + c10;
    c[pc + 1] = (c[pc + 1] as number) + c11;
    c[pc + 2] = (c[pc + 2] as number) + c12;
    c[pc + 3] = (c[pc + 3] as number) + c13;
    pc += ldc;
    c[pc] = (c[pc] as number) + c20;
    c[pc + 1] = (c[pc + 1] as number) + c21;
    c[pc + 2] = (c[pc + 2] as number) + c22;
    c[pc + 3] = (c[pc + 3] as number) + c23;
    pc += ldc;
    c[pc] = (c[pc] as number) + c30;
    c[pc + 1] = (c[pc + 1] as number) + c31;
    c[pc + 2] = (c[pc + 2] as number) + c32;
    c[pc + 3] = (c[pc + 3] as number) + c33;
    return;
  }
  const tile = edgeTile;
  tile[0] = c00;
  tile[1] = c01;
  tile[2] = c02;
  tile[3] = c03;
  tile[4] = c10;
  tile[5] = c11;
  tile[6] = c12;
  tile[7] = c13;
  tile[8] = c20;
  tile[9] = c21;
  tile[10] = c22;
  tile[11] = c23;
  tile[12] = c30;
  tile[13] = c31;
  tile[14] = c32;
  tile[15] = c33;
  for (let r = 0; r < rows; r++) {
    if (overwrite) for (let s = 0; s < cols; s++) c[pc + r * ldc + s] = tile[r * NR + s] as number;
    else
      for (let s = 0; s < cols; s++)
        c[pc + r * ldc + s] = (c[pc + r * ldc + s] as number) + (tile[r * NR + s] as number);
  }
}

/** Partial sums of a tile that sticks out of C, in float64 like the registers they come from. */
const edgeTile = new Float64Array(MR * NR);
