// _FusedMatMul (a dense layer's forward: x·W + bias, then ReLU) for the wasm
// backend. XNNPACK's fully-connected operator packs W on every call, and W is
// new every training step; for small products (LeNet-5's 64×400·400×120)
// convkit's SIMD GEMM (wasm-kernels/mat-mul.c) is faster on one thread. It
// takes linear and ReLU outputs with no bias or a bias [N], unbatched; every
// other case (other activations, PReLU or leaky-ReLU weights, batches, large
// products, no SIMD module) is the stock kernel's, except where the stock
// kernel (tfjs-backend-wasm 4.22) gives wrong results: with a bias and a
// transposed or batched operand (relative errors near 1 even at 2×2×2), the
// product, the bias and the activation are three stock kernels.
import {
  _FusedMatMul,
  type _FusedMatMulAttrs,
  broadcast_util,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type NamedTensorInfoMap,
  type TensorInfo,
  util,
} from '@tensorflow/tfjs-core';
import { simdMatMul } from './batch-mat-mul.js';
import { asWasm, boundStockKernel, release, requireInput, runWasmKernel, withShape } from './heap.js';

/** The kernel and attributes applying a fused activation to x (`linear`: none). */
function activationKernel(activation: string, attrs: _FusedMatMulAttrs): [string, object] | undefined {
  const kernels: Record<string, [string, object]> = {
    relu: ['Relu', {}],
    relu6: ['Relu6', {}],
    elu: ['Elu', {}],
    sigmoid: ['Sigmoid', {}],
    leakyrelu: ['LeakyRelu', { alpha: attrs.leakyreluAlpha }],
  };
  if (activation === 'linear') return undefined;
  const kernel = kernels[activation];
  if (!kernel) throw new Error(`convkit wasm _FusedMatMul: unsupported activation '${activation}'`);
  return kernel;
}

/**
 * The stock kernel, except where it adds a bias wrongly (see the top of this file): then the
 * stock product without bias, the bias added by Add, and the activation by its own kernel.
 */
function stockFusedMatMul(args: Parameters<KernelFunc>[0]): ReturnType<KernelFunc> {
  const wasm = asWasm(args.backend);
  const stock = boundStockKernel(wasm, _FusedMatMul);
  const { a, b, bias, preluActivationWeights: weights } = args.inputs;
  const attrs = args.attrs as unknown as _FusedMatMulAttrs;
  const batched = (x: TensorInfo | undefined) => util.sizeFromShape(x?.shape.slice(0, -2) ?? []) !== 1;
  if (!bias || !(attrs.transposeA || attrs.transposeB || batched(a) || batched(b))) return stock(args);
  const plain = { ...args.attrs, activation: 'linear' };
  const product = stock({ ...args, inputs: { a, b } as NamedTensorInfoMap, attrs: plain }) as TensorInfo;
  const biased = runWasmKernel(wasm, 'Add', { a: product, b: bias });
  release(wasm, product);
  if (weights) {
    const out = runWasmKernel(wasm, 'Prelu', { x: biased, alpha: weights });
    release(wasm, biased);
    return out;
  }
  const kernel = activationKernel(attrs.activation, attrs);
  if (!kernel) return biased;
  const out = runWasmKernel(wasm, kernel[0], { x: biased }, kernel[1] as NamedAttrMap);
  release(wasm, biased);
  return out;
}

const fusedMatMul: KernelFunc = (args) => {
  const wasm = asWasm(args.backend);
  const a = requireInput(args.inputs, 'a', _FusedMatMul);
  const b = requireInput(args.inputs, 'b', _FusedMatMul);
  const { bias, preluActivationWeights } = args.inputs;
  const { transposeA, transposeB, activation } = args.attrs as unknown as _FusedMatMulAttrs;
  const simple = !preluActivationWeights && (activation === 'linear' || activation === 'relu');
  const relu = activation === 'relu';
  const out = simple ? simdMatMul(wasm, { a, b, transposeA, transposeB, bias, relu }) : undefined;
  if (!out) return stockFusedMatMul(args);
  const batchDims = broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  return withShape(out, [...batchDims, ...out.shape]);
};

/** _FusedMatMul on the wasm backend: small unbatched linear/ReLU products by a SIMD GEMM, the stock kernel otherwise. */
export const fusedMatMulConfig: KernelConfig = {
  kernelName: _FusedMatMul,
  backendName: 'wasm',
  kernelFunc: fusedMatMul,
};
