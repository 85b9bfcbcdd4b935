// FusedConv2D on the wasm backend: convolutions with few input channels
// (LeNet-5's first layer, x[N,28,28,1] ⊛ w[5,5,1,6] with bias and ReLU) run
// convkit's SIMD kernel (wasm-kernels/conv2d-forward.c) where the module is
// prepared. The stock kernel's XNNPACK builds a new operator for every new
// filter, i.e. every training step, and its GEMM has nothing to gain from one
// input channel. Everything else (other activations, PReLU or leaky ReLU
// weights, dilation, NCHW, many input channels) is the stock kernel.
import {
  backend_util,
  FusedConv2D,
  type FusedConv2DAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { asWasm, boundStockKernel, requireInput } from './heap.js';
import { heapOffset, simdKernels } from './simd/module.js';

/**
 * Whether the SIMD kernel beat the stock kernel at these channel counts. Measured at batch 16–64
 * (one thread against XNNPACK's two, min of 100 calls): Ci 1–2 won at Co 6–32 (LeNet-5's conv1
 * 0.63 against 1.40 ms), Ci 3–4 only up to Co 8; Ci 3 with Co 16–32 and Ci 6 (LeNet-5's conv2)
 * were XNNPACK's, whose GEMM has enough input channels to use.
 */
function fewChannels(info: backend_util.Conv2DInfo): boolean {
  return info.inChannels <= 2 || (info.inChannels <= 4 && info.outChannels <= 8);
}

/**
 * Which kernel computes this fused convolution (exported for tests): convkit's
 * SIMD kernel for linear or ReLU outputs of convolutions with few input
 * channels where the module runs, else the stock (XNNPACK) kernel.
 */
export function forwardRoute(
  info: backend_util.Conv2DInfo,
  attrs: Pick<FusedConv2DAttrs, 'activation' | 'dataFormat'>,
  inputs: {
    x: TensorInfo;
    filter: TensorInfo;
    bias: TensorInfo | undefined;
    preluActivationWeights: TensorInfo | undefined;
  },
  hasSimd: boolean,
): 'simd' | 'stock' {
  const { x, filter, bias, preluActivationWeights } = inputs;
  if (!hasSimd || preluActivationWeights || (attrs.activation !== 'linear' && attrs.activation !== 'relu'))
    return 'stock';
  if (attrs.dataFormat !== undefined && attrs.dataFormat !== 'NHWC') return 'stock';
  if (x.dtype !== 'float32' || filter.dtype !== 'float32' || x.shape[3] !== filter.shape[2]) return 'stock';
  if (bias && (bias.dtype !== 'float32' || bias.shape.length !== 1)) return 'stock';
  if (bias && bias.shape[0] !== info.outChannels) return 'stock';
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1 || info.padInfo.top < 0 || info.padInfo.left < 0)
    return 'stock';
  if (info.batchSize < 1 || info.outHeight < 1 || info.outWidth < 1 || info.outChannels < 1) return 'stock';
  return fewChannels(info) ? 'simd' : 'stock';
}

/** Bytes of scratch the C kernel uses: the packed filter, the bias and one zero-bordered image (layout in the .c file). */
export function forwardScratchBytes(info: backend_util.Conv2DInfo): number {
  const { outHeight, outWidth, inChannels, outChannels, filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const up4 = (n: number) => Math.ceil(n / 4) * 4;
  const paddedHeight = (outHeight - 1) * strideHeight + filterHeight;
  const paddedWidth = (outWidth - 1) * strideWidth + filterWidth;
  const filter = filterHeight * filterWidth * inChannels * up4(outChannels);
  return 4 * (filter + up4(outChannels) + up4(paddedHeight * paddedWidth * inChannels));
}

const fusedConv2D: KernelFunc = (args) => {
  const wasm = asWasm(args.backend);
  const x = requireInput(args.inputs, 'x', FusedConv2D);
  const filter = requireInput(args.inputs, 'filter', FusedConv2D);
  const { bias, preluActivationWeights } = args.inputs;
  const attrs = args.attrs as unknown as FusedConv2DAttrs;
  const simd = simdKernels(wasm);
  const shape = filter.shape as [number, number, number, number];
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    shape,
    attrs.strides,
    attrs.dilations,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  if (!simd || forwardRoute(info, attrs, { x, filter, bias, preluActivationWeights }, true) !== 'simd') {
    return boundStockKernel(args.backend, FusedConv2D)(args);
  }
  const y = wasm.makeOutput(info.outShape, 'float32');
  const scratch = simd.scratch(forwardScratchBytes(info));
  simd.fn('conv2d_forward')(
    heapOffset(wasm, x),
    heapOffset(wasm, filter),
    bias ? heapOffset(wasm, bias) : 0,
    heapOffset(wasm, y),
    scratch,
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.outChannels,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.padInfo.top,
    info.padInfo.left,
    bias ? 1 : 0,
    attrs.activation === 'relu' ? 1 : 0,
  );
  return y;
};

/** FusedConv2D on wasm: convkit's SIMD kernel for few input channels, the stock kernel otherwise. */
export const fusedConv2DConfig: KernelConfig = {
  kernelName: FusedConv2D,
  backendName: 'wasm',
  kernelFunc: fusedConv2D,
};
