// ReLU's gradient (`ConvkitReluGrad`, see gradients/relu.ts) on the wasm
// backend. tfjs' formula dispatches Step, Cast (a float32 → float32 copy on
// wasm) and Multiply through the engine; this kernel runs it in one pass by
// convkit's SIMD kernel (wasm-kernels/relu-grad.c) where that is prepared,
// else the backend's own Step and Multiply directly: the same arithmetic to
// the bit either way, with one dispatch and no copy. (LeNet-5's four: 0.39 ms
// by Step and Multiply, 0.20 ms by the SIMD pass; a JS loop on the heap is
// 3× slower than XNNPACK's threaded Multiply, measured.)
import { type KernelConfig, type KernelFunc, util } from '@tensorflow/tfjs-core';
import { RELU_GRAD } from '../gradients/relu.js';
import { asWasm, release, requireInput, runWasmKernel } from './heap.js';
import { heapOffset, simdKernels } from './simd/module.js';

const reluGrad: KernelFunc = ({ inputs, backend }) => {
  const wasm = asWasm(backend);
  const dy = requireInput(inputs, 'dy', RELU_GRAD);
  const x = requireInput(inputs, 'x', RELU_GRAD);
  if (dy.shape.join() !== x.shape.join() || dy.dtype !== 'float32' || x.dtype !== 'float32') {
    throw new TypeError(
      `wasm ${RELU_GRAD}: dy and x must be float32 tensors of one shape, received ` +
        `${dy.dtype} [${dy.shape}] and ${x.dtype} [${x.shape}]`,
    );
  }
  // Step: 1 where x > 0, 0 elsewhere, NaN for NaN; then dy · mask.
  const simd = simdKernels(wasm);
  if (simd) {
    // One pass (wasm-kernels/relu-grad.c), the same bits as Step then Multiply below.
    const dx = wasm.makeOutput(dy.shape, 'float32');
    const size = util.sizeFromShape(dy.shape);
    if (size > 0) simd.fn('relu_grad')(heapOffset(wasm, dy), heapOffset(wasm, x), heapOffset(wasm, dx), size);
    return dx;
  }
  const mask = runWasmKernel(wasm, 'Step', { x }, { alpha: 0 });
  const dx = runWasmKernel(wasm, 'Multiply', { a: dy, b: mask });
  release(wasm, mask);
  return dx;
};

/** ConvkitReluGrad on the wasm backend: dy · step(x) in one dispatch (float32). */
export const reluGradKernelConfig: KernelConfig = {
  kernelName: RELU_GRAD,
  backendName: 'wasm',
  kernelFunc: reluGrad,
};
