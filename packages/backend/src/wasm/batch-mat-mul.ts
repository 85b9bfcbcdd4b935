// BatchMatMul for the wasm backend. The stock kernel reaches XNNPACK only for
// a plain product; with transposeA or transposeB it falls back to a scalar
// loop 10–40× slower (dense backward at batch 64: 3.6 ms instead of 0.37 ms;
// 64×4096·4096ᵀ: 1.5 s instead of 0.17 s). Every dense layer's backward pass
// asks for exactly those products (dx = dy·Wᵀ, dW = xᵀ·dy), so this kernel
// rewrites them as plain products around explicit transposes, choosing
// op(A)·op(B) or (op(B)ᵀ·op(A)ᵀ)ᵀ, whichever moves fewer elements.
//
// It computes through the stock `_FusedMatMul` (same kernels, no bias, linear
// activation): the stock BatchMatMul is not set up while this one replaces it.
// Small unbatched products (a small dense layer's gradients at batch 64) go to
// convkit's SIMD GEMM instead (wasm-kernels/mat-mul.c, one thread): XNNPACK
// packs the weights on every call, and they are new every training step.
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  _FusedMatMul,
  BatchMatMul,
  type BatchMatMulAttrs,
  broadcast_util,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
  util,
} from '@tensorflow/tfjs-core';
import { asWasm, boundStockKernel, release, requireInput, runWasmKernel, withShape } from './heap.js';
import { heapOffset, simdKernels } from './simd/module.js';

/**
 * The largest M·N·K that convkit's SIMD GEMM (wasm-kernels/mat-mul.c, one thread) takes;
 * larger products stay on XNNPACK, whose packing is worth it and which runs on every thread
 * (AlexNet's 9216×4096 layers). Set from the measurement in the commit that added it.
 */
export const SIMD_MAT_MUL_MAX_WORK = 1 << 24;

/**
 * The largest op(B) (K·N floats) it takes: it packs B on every call, which only pays where the
 * product is tall enough to reuse it or B is small (inference at batch 1–8 on 1024×1024 weights
 * measured faster on XNNPACK); it also bounds the scratch at 1 MB.
 */
export const SIMD_MAT_MUL_MAX_PACKED = 1 << 18;

/** A single product `op(A)·op(B)` with an optional bias [N] and ReLU, by convkit's SIMD GEMM when it runs and is small. */
export interface SimdProduct {
  a: TensorInfo;
  b: TensorInfo;
  transposeA: boolean;
  transposeB: boolean;
  bias?: TensorInfo | undefined;
  relu?: boolean;
}

/**
 * `op(A)·op(B)` (+ bias, then ReLU) as a fresh [M, N] tensor (callers give it their batch shape) by wasm-kernels/mat-mul.c, or
 * undefined where that kernel does not take it (no SIMD module, not float32, batched operands, a
 * product above {@link SIMD_MAT_MUL_MAX_WORK} or B above {@link SIMD_MAT_MUL_MAX_PACKED}, or an empty one): the caller keeps its route.
 */
export function simdMatMul(backend: BackendWasm, p: SimdProduct): TensorInfo | undefined {
  const simd = simdKernels(backend);
  const { a, b, transposeA, transposeB, bias } = p;
  if (!simd || a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) {
    return undefined;
  }
  if (util.sizeFromShape(a.shape.slice(0, -2)) !== 1 || util.sizeFromShape(b.shape.slice(0, -2)) !== 1)
    return undefined;
  const [aRows = 0, aCols = 0] = a.shape.slice(-2);
  const [bRows = 0, bCols = 0] = b.shape.slice(-2);
  const [m, k] = transposeA ? [aCols, aRows] : [aRows, aCols];
  const n = transposeB ? bRows : bCols;
  const work = m * n * k;
  if (work === 0 || work > SIMD_MAT_MUL_MAX_WORK || k * n > SIMD_MAT_MUL_MAX_PACKED) return undefined;
  if ((transposeB ? bCols : bRows) !== k) return undefined;
  if (bias && (bias.dtype !== 'float32' || bias.shape.length !== 1 || bias.shape[0] !== n)) return undefined;
  const panels = Math.ceil(n / 8);
  const scratch = simd.scratch(64 + (k + 1) * panels * 8 * 4);
  const out = backend.makeOutput([m, n], 'float32');
  simd.fn('mat_mul')(
    heapOffset(backend, a),
    heapOffset(backend, b),
    heapOffset(backend, out),
    bias ? heapOffset(backend, bias) : 0,
    m,
    n,
    k,
    ...(transposeA ? [1, m] : [k, 1]),
    ...(transposeB ? [1, k] : [n, 1]),
    p.relu ? 1 : 0,
    scratch,
  );
  return out;
}

/** A batched product of rank-3 operands through XNNPACK's fused matmul, transposes as given. */
function fusedMatMul(
  backend: BackendWasm,
  a: TensorInfo,
  b: TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
): TensorInfo {
  return boundStockKernel(
    backend,
    _FusedMatMul,
  )({
    inputs: { a, b },
    backend,
    attrs: { transposeA, transposeB, activation: 'linear', leakyreluAlpha: 0 },
  }) as TensorInfo;
}

/** `a [M, K] · b [K, N]` as a fresh [M, N] tensor (exported for the other kernels here). */
export function plainMatMul(backend: BackendWasm, a: TensorInfo, b: TensorInfo): TensorInfo {
  const [m = 0, k = 0] = a.shape.slice(-2);
  const [, n = 0] = b.shape.slice(-2);
  const out = fusedMatMul(backend, withShape(a, [1, m, k]), withShape(b, [1, k, n]), false, false);
  return withShape(out, [m, n]);
}

function transpose2d(backend: BackendWasm, x: TensorInfo, rows: number, cols: number): TensorInfo {
  const t = runWasmKernel(backend, 'Transpose', { x: withShape(x, [rows, cols]) }, { perm: [1, 0] });
  return withShape(t, [cols, rows]);
}

const batchMatMul: KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = asWasm(backend);
  const a = requireInput(inputs, 'a', BatchMatMul);
  const b = requireInput(inputs, 'b', BatchMatMul);
  const { transposeA, transposeB } = attrs as unknown as BatchMatMulAttrs;
  if (a.dtype !== 'float32' || b.dtype !== 'float32') {
    throw new Error('BatchMatMul for non non-float32 tensors not yet supported.');
  }
  const [aRows = 0, aCols = 0] = a.shape.slice(-2);
  const [bRows = 0, bCols = 0] = b.shape.slice(-2);
  const m = transposeA ? aCols : aRows;
  const k = transposeA ? aRows : aCols;
  const n = transposeB ? bRows : bCols;
  const innerB = transposeB ? bCols : bRows;
  util.assert(
    k === innerB,
    () =>
      `Error in matMul: inner shapes (${k}) and (${innerB}) of Tensors with shapes ${a.shape} and ${b.shape} and transposeA=${transposeA} and transposeB=${transposeB} must match.`,
  );
  const batchDims = broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const outShape = [...batchDims, m, n];
  const small = simdMatMul(wasm, { a, b, transposeA, transposeB });
  if (small) return withShape(small, outShape);
  const batchA = util.sizeFromShape(a.shape.slice(0, -2));
  const batchB = util.sizeFromShape(b.shape.slice(0, -2));
  if (batchA !== 1 || batchB !== 1 || (!transposeA && !transposeB)) {
    // Batched products take the same path in every formulation: leave them as asked.
    const out = fusedMatMul(
      wasm,
      withShape(a, [batchA, aRows, aCols]),
      withShape(b, [batchB, bRows, bCols]),
      transposeA,
      transposeB,
    );
    return withShape(out, outShape);
  }
  const sizeA = aRows * aCols;
  const sizeB = bRows * bCols;
  const direct = (transposeA ? sizeA : 0) + (transposeB ? sizeB : 0);
  const swapped = (transposeA ? 0 : sizeA) + (transposeB ? 0 : sizeB) + m * n;
  if (direct <= swapped) {
    const left = transposeA ? transpose2d(wasm, a, aRows, aCols) : a;
    const right = transposeB ? transpose2d(wasm, b, bRows, bCols) : b;
    const out = plainMatMul(wasm, left, right);
    if (left !== a) release(wasm, left);
    if (right !== b) release(wasm, right);
    return withShape(out, outShape);
  }
  // op(A)·op(B) = (op(B)ᵀ·op(A)ᵀ)ᵀ, where op(B)ᵀ and op(A)ᵀ are the stored layouts when transposed.
  const left = transposeB ? b : transpose2d(wasm, b, bRows, bCols);
  const right = transposeA ? a : transpose2d(wasm, a, aRows, aCols);
  const product = plainMatMul(wasm, left, right);
  const out = transpose2d(wasm, product, n, m);
  if (left !== b) release(wasm, left);
  if (right !== a) release(wasm, right);
  release(wasm, product);
  return withShape(out, outShape);
};

/** BatchMatMul on the wasm backend: transposed products through XNNPACK instead of the stock scalar loop. */
export const batchMatMulConfig: KernelConfig = {
  kernelName: BatchMatMul,
  backendName: 'wasm',
  kernelFunc: batchMatMul,
};
