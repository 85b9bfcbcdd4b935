import {
  _FusedMatMul,
  type _FusedMatMulAttrs,
  BatchMatMul,
  backend_util,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { loadAddon } from '../addon.js';
import { ACTIVATIONS, f32, type KernelArgs, type NativeKernel, output, sizeOf } from './kernel.js';

interface MatMulInputs {
  a: TensorInfo;
  b: TensorInfo;
  bias?: TensorInfo;
  preluActivationWeights?: TensorInfo;
}

/** The sizes of a (batched) matrix product: C[m, n] = A[m, k] · B[k, n] for each of the outer (batch) indices. */
export interface MatMulShape {
  m: number;
  k: number;
  n: number;
  outerA: number[];
  outerB: number[];
  batchA: number;
  batchB: number;
}

/** The product's sizes from the operands' shapes (rank ≥ 2) and transposes; undefined when the inner sizes differ. */
export function matMulShape(
  aShape: readonly number[],
  bShape: readonly number[],
  transposeA: boolean,
  transposeB: boolean,
): MatMulShape | undefined {
  const [a0, a1] = aShape.slice(-2) as [number, number];
  const [b0, b1] = bShape.slice(-2) as [number, number];
  const [m, k] = transposeA ? [a1, a0] : [a0, a1];
  const [kB, n] = transposeB ? [b1, b0] : [b0, b1];
  if (k !== kB) return undefined;
  const outerA = aShape.slice(0, -2);
  const outerB = bShape.slice(0, -2);
  return { m, k, n, outerA, outerB, batchA: sizeOf(outerA), batchB: sizeOf(outerB) };
}

/**
 * BatchMatMul and _FusedMatMul through oneDNN's SGEMM. Batch dimensions may
 * broadcast when one side has a single matrix (a dense layer's weights);
 * other broadcasts go to the cpu kernel.
 */
function matMul({ inputs, backend, attrs }: KernelArgs<MatMulInputs, Partial<_FusedMatMulAttrs>>) {
  const { a, b, bias, preluActivationWeights } = inputs;
  const activation = ACTIVATIONS[attrs.activation ?? 'linear'];
  if (activation === undefined || preluActivationWeights) return undefined;
  const aValues = f32(backend, a);
  const bValues = f32(backend, b);
  const biasValues = bias ? f32(backend, bias) : null;
  if (!aValues || !bValues || biasValues === undefined || a.shape.length < 2 || b.shape.length < 2) return undefined;
  const transposeA = attrs.transposeA ?? false;
  const transposeB = attrs.transposeB ?? false;
  const product = matMulShape(a.shape, b.shape, transposeA, transposeB);
  if (!product) return undefined; // the cpu kernel throws tfjs' own message
  const { m, k, n, outerA, outerB, batchA, batchB } = product;
  const sameOuter = outerA.length === outerB.length && outerA.every((d, i) => d === outerB[i]);
  if (!sameOuter && batchA !== 1 && batchB !== 1) return undefined;
  if (biasValues && biasValues.length !== n) return undefined;
  const outer = backend_util.assertAndGetBroadcastShape(outerA, outerB);
  const shape = [...outer, m, n];
  const c = output(backend, sizeOf(shape));
  const dims = Int32Array.from([batchA, batchB, m, n, k, transposeA ? 1 : 0, transposeB ? 1 : 0]);
  const alpha = attrs.leakyreluAlpha ?? 0.2;
  if (!loadAddon().batchMatMul(aValues, bValues, c, dims, biasValues, activation, alpha)) return undefined;
  return backend.makeTensorInfo(shape, 'float32', c);
}

export const matMulKernels: NativeKernel[] = [
  { kernelName: BatchMatMul, run: matMul },
  { kernelName: _FusedMatMul, run: matMul },
];
