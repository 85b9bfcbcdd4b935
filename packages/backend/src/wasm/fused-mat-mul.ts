// _FusedMatMul (a dense layer's forward: x·W + bias, then ReLU) for the wasm
// backend. XNNPACK's fully-connected operator packs W on every call, and W is
// new every training step; for small products (LeNet-5's 64×400·400×120)
// convkit's SIMD GEMM (wasm-kernels/mat-mul.c) is faster on one thread. It
// takes linear and ReLU outputs with no bias or a bias [N], unbatched; every
// other case (other activations, PReLU or leaky-ReLU weights, batches, large
// products, no SIMD module) is the stock kernel's.
import {
  _FusedMatMul,
  type _FusedMatMulAttrs,
  broadcast_util,
  type KernelConfig,
  type KernelFunc,
} from '@tensorflow/tfjs-core';
import { simdMatMul } from './batch-mat-mul.js';
import { asWasm, boundStockKernel, requireInput, withShape } from './heap.js';

const fusedMatMul: KernelFunc = (args) => {
  const wasm = asWasm(args.backend);
  const a = requireInput(args.inputs, 'a', _FusedMatMul);
  const b = requireInput(args.inputs, 'b', _FusedMatMul);
  const { bias, preluActivationWeights } = args.inputs;
  const { transposeA, transposeB, activation } = args.attrs as unknown as _FusedMatMulAttrs;
  const simple = !preluActivationWeights && (activation === 'linear' || activation === 'relu');
  const relu = activation === 'relu';
  const out = simple ? simdMatMul(wasm, { a, b, transposeA, transposeB, bias, relu }) : undefined;
  if (!out) return boundStockKernel(wasm, _FusedMatMul)(args);
  const batchDims = broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  return withShape(out, [...batchDims, ...out.shape]);
};

/** _FusedMatMul on the wasm backend: small unbatched linear/ReLU products by a SIMD GEMM, the stock kernel otherwise. */
export const fusedMatMulConfig: KernelConfig = {
  kernelName: _FusedMatMul,
  backendName: 'wasm',
  kernelFunc: fusedMatMul,
};
