// MaxPool for the wasm backend. XNNPACK's max pooling costs LeNet-5's 2×2
// pools 1.06 ms (64×28×28×6) and 0.34 ms (64×10×10×16) per call; for 2×2
// windows at stride 2 without padding, wasm-kernels/max-pool.c reads each
// input once, four channels at a time, on one thread. It gives tfjs-cpu's
// result bit for bit: a value replaces the window's running maximum (from
// −Infinity) only when strictly greater, so NaN never wins and a −0/+0 tie
// keeps the first in the window. Every other pool, and every pool where the
// SIMD kernels do not run, is the stock kernel's.
import { backend_util, type KernelConfig, type KernelFunc, MaxPool, type MaxPoolAttrs } from '@tensorflow/tfjs-core';
import { asWasm, boundStockKernel, requireInput } from './heap.js';
import { isTiled2x2 } from './max-pool-grad.js';
import { heapOffset, simdKernels } from './simd/module.js';

const maxPool: KernelFunc = (args) => {
  const wasm = asWasm(args.backend);
  const x = requireInput(args.inputs, 'x', MaxPool);
  const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as MaxPoolAttrs;
  const simd = simdKernels(wasm);
  if (!simd || x.dtype !== 'float32' || x.shape.length !== 4) return boundStockKernel(wasm, MaxPool)(args);
  const info = backend_util.computePool2DInfo(
    x.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  if (!isTiled2x2(info) || info.outHeight * info.outWidth * info.inChannels * info.batchSize === 0) {
    return boundStockKernel(wasm, MaxPool)(args);
  }
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth } = info;
  const y = wasm.makeOutput(info.outShape, 'float32');
  simd.fn('max_pool_2x2')(
    heapOffset(wasm, x),
    heapOffset(wasm, y),
    batchSize,
    inHeight,
    inWidth,
    inChannels,
    outHeight,
    outWidth,
  );
  return y;
};

/** MaxPool on the wasm backend: 2×2 stride-2 unpadded float32 pools by a SIMD kernel, the stock kernel otherwise. */
export const maxPoolConfig: KernelConfig = {
  kernelName: MaxPool,
  backendName: 'wasm',
  kernelFunc: maxPool,
};
