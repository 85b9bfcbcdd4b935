import { matMulShape } from '@convkit/backend/adapter';
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
