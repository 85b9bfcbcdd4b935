import { ACTIVATIONS, matMulShape } from '@convkit/backend/adapter';
import {
  _FusedMatMul,
  type _FusedMatMulAttrs,
  BatchMatMul,
  type BatchMatMulAttrs,
  broadcast_util,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { CudaBackend } from '../backend.js';
import { type CudaKernel, type CudaKernelArgs, gpu, sizeOf } from './kernel.js';

// Matrix products on convkit's SGEMM (native/cuda/matmul.{h,cu}): one tiled
// shared-memory kernel template for every transpose combination, with the
// bias and activation fused into its epilogue. conv.ts runs the same core.

/** The addon functions of native/cuda/matmul_bindings.cc. */
export interface MatmulFunctions {
  /**
   * out[z] = act(op(a[z % batchA]) · op(b[z % batchB]) + bias); dims =
   * [batch, batchA, batchB, m, n, k, transposeA, transposeB]; bias: n values
   * (biasStride 1) or one (0). tile/splits: see {@link forceGemmPlan}.
   */
  batchMatMul(
    a: number,
    b: number,
    out: number,
    dims: Int32Array,
    bias: number | null,
    biasStride: number,
    activation: number,
    alpha: number,
    tile?: number,
    splits?: number,
  ): void;
}

/** The GEMM cut the addon is told to use: tile -1 and splits 0 let it choose. */
export const gemmPlan = { tile: -1, splits: 0 };

/**
 * For tests: makes every GEMM (matmul and convolution) use one tile kind
 * (0: 128×128, 1: 64×64, 2: 128×32; -1 chooses) and split K in `splits`
 * parts (0 chooses), so that each path of the kernel runs at test sizes.
 */
export function forceGemmPlan(tile = -1, splits = 0): void {
  gemmPlan.tile = tile;
  gemmPlan.splits = splits;
}

/**
 * A bias the epilogue can add to an output of shape [..., n]: n values along
 * the last axis (stride 1) or a single value (stride 0); undefined for other
 * broadcasts (and other dtypes), which go to the cpu kernel.
 */
export function biasStride(bias: TensorInfo | undefined, outShape: readonly number[]): number | undefined {
  if (!bias) return 0;
  if (bias.dtype !== 'float32' || bias.shape.length > outShape.length) return undefined;
  const size = sizeOf(bias.shape);
  const n = outShape[outShape.length - 1] as number;
  if (size === 1) return 0;
  if (size === n && bias.shape[bias.shape.length - 1] === n) return 1;
  return undefined;
}

/**
 * A fused kernel's activation as the addon numbers it; undefined (the call
 * is declined) for prelu, whose weights the kernels do not take, and for unknown ones.
 */
export function activationCode(
  attrs: { activation?: string | null },
  inputs: { preluActivationWeights?: TensorInfo | null },
): number | undefined {
  return inputs.preluActivationWeights ? undefined : ACTIVATIONS[attrs.activation ?? 'linear'];
}

interface MatMulInputs {
  a: TensorInfo;
  b: TensorInfo;
  bias?: TensorInfo;
  preluActivationWeights?: TensorInfo;
}

/**
 * BatchMatMul and _FusedMatMul. Batch dimensions broadcast as tfjs' cpu
 * kernel does (item z uses a[z % batchA] and b[z % batchB]) when the output's
 * batch is the larger of the two; other shapes and dtypes are declined.
 */
function matMul({
  inputs,
  backend,
  attrs,
}: CudaKernelArgs<MatMulInputs, BatchMatMulAttrs & Partial<_FusedMatMulAttrs>>): TensorInfo | undefined {
  const { a, b, bias } = inputs;
  const activation = activationCode(attrs, inputs);
  if (activation === undefined) return undefined;
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) return undefined;
  const transposeA = attrs.transposeA ?? false;
  const transposeB = attrs.transposeB ?? false;
  const product = matMulShape(a.shape, b.shape, transposeA, transposeB);
  if (!product) return undefined; // the cpu kernel throws tfjs' own message
  const { m, k, n, outerA, outerB, batchA, batchB } = product;
  let outer: number[];
  try {
    outer = broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
  } catch {
    return undefined;
  }
  const batch = sizeOf(outer);
  if (batch !== Math.max(batchA, batchB)) return undefined;
  if (batch > 0 && (batch % batchA !== 0 || batch % batchB !== 0)) return undefined;
  const shape = [...outer, m, n];
  const stride = biasStride(bias, shape);
  if (stride === undefined) return undefined;
  const out = backend.makeOutput(shape, 'float32');
  if (sizeOf(shape) === 0) return out;
  run(backend, a, b, out, [batch, batchA, batchB, m, n, k, transposeA ? 1 : 0, transposeB ? 1 : 0], {
    bias,
    stride,
    activation,
    alpha: attrs.leakyreluAlpha ?? 0.2,
  });
  return out;
}

function run(
  backend: CudaBackend,
  a: TensorInfo,
  b: TensorInfo,
  out: TensorInfo,
  dims: number[],
  epilogue: { bias: TensorInfo | undefined; stride: number; activation: number; alpha: number },
): void {
  gpu<MatmulFunctions>(backend).batchMatMul(
    backend.pointer(a),
    backend.pointer(b),
    backend.pointer(out),
    Int32Array.from(dims),
    epilogue.bias ? backend.pointer(epilogue.bias) : null,
    epilogue.stride,
    epilogue.activation,
    epilogue.alpha,
    gemmPlan.tile,
    gemmPlan.splits,
  );
}

/** BatchMatMul and _FusedMatMul (bias, and every activation but prelu). */
export const matmulKernels: readonly CudaKernel[] = [
  { kernelName: BatchMatMul, run: matMul },
  { kernelName: _FusedMatMul, run: matMul },
];
