// The WGSL bodies of GemmProgram (gemm-program.ts): `tiledMain` stages A and
// B in workgroup memory, `narrowMain` (at most 8 columns) stages B only.
import { type GemmTiling, invocations } from './tiling.js';

/** The bounds of this workgroup's part of the inner dimension, as uniform values. */
const SPLIT_BOUNDS = `
    // tfjs copies workgroupId into a private variable, which WGSL's uniformity
    // analysis takes for non-uniform: the loop around the barriers reads its
    // bounds through workgroupUniformLoad instead.
    if (tid == 0) {
      let begin = split * uniforms.chunk;
      splitBounds = vec2<i32>(begin, min(begin + uniforms.chunk, uniforms.dimInner));
    }
    let bounds = workgroupUniformLoad(&splitBounds);
    let innerEnd = bounds.y;`;

/** Splits the step's TK inner indices into coordinates, once for the workgroup. */
const INNER_TABLE = (TK: number) => `
      if (tid < ${TK}) { innerTable[tid] = innerInfo(k0 + tid); }
      workgroupBarrier();`;

/** Stages TK inner steps of B in workgroup memory, zero outside the matrix. */
function stageB(TN: number, TK: number, T: number): string {
  return `
      for (var e = tid; e < ${TK * TN}; e = e + ${T}) {
        let kk = e / ${TN};
        let col = col0 + e % ${TN};
        var v = 0.0;
        if (k0 + kk < innerEnd && col < uniforms.dimB) { v = mmB(innerTable[kk], k0 + kk, col); }
        tileB[e / 4][e % 4] = v;
      }`;
}

const each = (n: number, line: (i: number) => string, sep: string) =>
  Array.from({ length: n }, (_, i) => line(i)).join(sep);

/** Each invocation: 4 rows (tid + T·i) × all 8 columns, A gathered straight from memory. */
export function narrowMain(tiling: GemmTiling): string {
  const TK = tiling.tileInner;
  const T = invocations(tiling);
  return `
  var<workgroup> tileB : array<vec4<f32>, ${TK * 2}>;
  var<workgroup> innerTable : array<vec4<i32>, ${TK}>;
  var<workgroup> splitBounds : vec2<i32>;

  fn main() {
    let tid = i32(localId.x);
    let col0 = 0;
    let split = i32(workgroupId.z);
    ${SPLIT_BOUNDS}
    ${each(
      4,
      (i) => `let row${i} = i32(workgroupId.y) * ${4 * T} + tid + ${T * i};
    let info${i} = rowInfo(row${i});
    var lo${i} = vec4<f32>(0.0);
    var hi${i} = vec4<f32>(0.0);`,
      '\n    ',
    )}
    for (var k0 = bounds.x; k0 < innerEnd; k0 = k0 + ${TK}) {
      ${INNER_TABLE(TK)}
      ${stageB(8, TK, T)}
      workgroupBarrier();
      let steps = min(${TK}, innerEnd - k0);
      for (var kk = 0; kk < steps; kk = kk + 1) {
        let k = innerTable[kk];
        let b0 = tileB[kk * 2];
        let b1 = tileB[kk * 2 + 1];
        ${each(
          4,
          (i) => `var a${i} = 0.0;
        if (row${i} < uniforms.dimA) { a${i} = mmA(info${i}, k); }
        lo${i} = fma(vec4<f32>(a${i}), b0, lo${i});
        hi${i} = fma(vec4<f32>(a${i}), b1, hi${i});`,
          '\n        ',
        )}
      }
      workgroupBarrier();
    }
    ${each(
      4,
      (i) => `if (row${i} < uniforms.dimA) {
      let base = (split * uniforms.dimA + row${i}) * uniforms.dimB;
      for (var c = 0; c < min(4, uniforms.dimB); c = c + 1) { result[base + c] = lo${i}[c]; }
      for (var c = 4; c < uniforms.dimB; c = c + 1) { result[base + c] = hi${i}[c - 4]; }
    }`,
      '\n    ',
    )}
  }`;
}

/** Stores one invocation's 4×4 block (four vec4 accumulators), inside the matrix only. */
function storeBlock(): string {
  return each(
    4,
    (i) => `
    {
      let row = row0 + ty * 4 + ${i};
      if (row < uniforms.dimA) {
        let base = (split * uniforms.dimA + row) * uniforms.dimB;
        for (var c = 0; c < 4; c = c + 1) {
          let col = col0 + tx * 4 + c;
          if (col < uniforms.dimB) { result[base + col] = acc${i}[c]; }
        }
      }
    }`,
    '',
  );
}

/**
 * Each invocation: a 4×4 block of a TM×TN tile. It stages TM/T rows of A at
 * every inner step, or one row at every (T/TM)-th inner step when the tile
 * has fewer rows than invocations.
 */
export function tiledMain(tiling: GemmTiling): string {
  const { tileRows: TM, tileCols: TN, tileInner: TK } = tiling;
  const T = invocations(tiling);
  const rowsEach = Math.max(1, TM / T);
  return `
  var<workgroup> tileA : array<vec4<f32>, ${(TK * TM) / 4}>;
  var<workgroup> tileB : array<vec4<f32>, ${(TK * TN) / 4}>;
  var<workgroup> innerTable : array<vec4<i32>, ${TK}>;
  var<workgroup> splitBounds : vec2<i32>;

  fn main() {
    let tx = i32(localId.x);
    let ty = i32(localId.y);
    let tid = ty * ${TN / 4} + tx;
    let row0 = i32(workgroupId.y) * ${TM};
    let col0 = i32(workgroupId.x) * ${TN};
    let split = i32(workgroupId.z);
    ${SPLIT_BOUNDS}
    ${each(
      rowsEach,
      (i) => `let aLocal${i} = tid % ${TM} + ${T * i};
    let aRow${i} = row0 + aLocal${i};
    let aInfo${i} = rowInfo(aRow${i});`,
      '\n    ',
    )}
    var acc0 = vec4<f32>(0.0);
    var acc1 = vec4<f32>(0.0);
    var acc2 = vec4<f32>(0.0);
    var acc3 = vec4<f32>(0.0);
    for (var k0 = bounds.x; k0 < innerEnd; k0 = k0 + ${TK}) {
      ${INNER_TABLE(TK)}
      for (var kk = tid / ${TM}; kk < ${TK}; kk = kk + ${Math.max(1, T / TM)}) {
        let inside = k0 + kk < innerEnd;
        let k = innerTable[kk];
        ${each(
          rowsEach,
          (i) => `var a${i} = 0.0;
        if (inside && aRow${i} < uniforms.dimA) { a${i} = mmA(aInfo${i}, k); }
        tileA[kk * ${TM / 4} + aLocal${i} / 4][aLocal${i} % 4] = a${i};`,
          '\n        ',
        )}
      }
      ${stageB(TN, TK, T)}
      workgroupBarrier();
      for (var kk = 0; kk < ${TK}; kk = kk + 1) {
        // Two vector reads from workgroup memory per 16 multiply-adds.
        let b = tileB[kk * ${TN / 4} + tx];
        let a = tileA[kk * ${TM / 4} + ty];
        acc0 = fma(vec4<f32>(a.x), b, acc0);
        acc1 = fma(vec4<f32>(a.y), b, acc1);
        acc2 = fma(vec4<f32>(a.z), b, acc2);
        acc3 = fma(vec4<f32>(a.w), b, acc3);
      }
      workgroupBarrier();
    }
    ${storeBlock()}
  }`;
}
