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
import { heapOffset, type SimdKernels, simdKernels } from './simd/module.js';
import { paddedExtent, up4, windowArgs } from './simd-conv.js';

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
  const { inChannels, outChannels, filterHeight, filterWidth } = info;
  const [height, width] = paddedExtent(info);
  const filter = filterHeight * filterWidth * inChannels * up4(outChannels);
  return 4 * (filter + up4(outChannels) + up4(height * width * inChannels));
}

/**
 * Runs the C kernel on heap offsets (exported for tests, which place y between canaries):
 * x [N, IH, IW, Ci], the filter [KH, KW, Ci, Co] and the bias [Co] (offset ignored without one) in, y out.
 */
export function runForwardKernel(
  simd: SimdKernels,
  info: backend_util.Conv2DInfo,
  at: { x: number; filter: number; bias: number | undefined; y: number; scratch: number },
  relu: boolean,
): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const sizes = [batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels];
  const flags = [at.bias === undefined ? 0 : 1, relu ? 1 : 0];
  simd.fn('conv2d_forward')(at.x, at.filter, at.bias ?? 0, at.y, at.scratch, ...sizes, ...windowArgs(info), ...flags);
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
  const at = {
    x: heapOffset(wasm, x),
    filter: heapOffset(wasm, filter),
    bias: bias ? heapOffset(wasm, bias) : undefined,
    y: heapOffset(wasm, y),
    scratch,
  };
  runForwardKernel(simd, info, at, attrs.activation === 'relu');
  return y;
};

/** FusedConv2D on wasm: convkit's SIMD kernel for few input channels, the stock kernel otherwise. */
export const fusedConv2DConfig: KernelConfig = {
  kernelName: FusedConv2D,
  backendName: 'wasm',
  kernelFunc: fusedConv2D,
};
