// FusedConv2D on the wasm backend: linear or ReLU convolutions run one of
// convkit's SIMD kernels (wasm-kernels/conv2d-forward.c) where the module is
// prepared: conv2d_forward for few input channels (LeNet-5's first layer,
// x[N,28,28,1] ⊛ w[5,5,1,6]), conv2d_forward_wide, blocked over 16 output
// channels, for the rest up to Ci·Co = 64² (LeNet-5's second layer,
// x[N,14,14,6] ⊛ w[5,5,6,16]) where XNNPACK has at most 2 threads. The stock
// kernel's XNNPACK builds a new operator for every new filter, i.e. every
// training step, and has a thread barrier per call; the SIMD kernels run on
// one thread. Everything else (other activations, PReLU or leaky ReLU
// weights, dilation, NCHW, wider layers, more threads) is the stock kernel.
import {
  backend_util,
  FusedConv2D,
  type FusedConv2DAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { asWasm, boundStockKernel, requireInput } from './heap.js';
import { heapOffset, type SimdKernels, simdKernels, tfjsThreads } from './simd/module.js';
import { batchParts, paddedExtent, partScratchBytes, up4, windowArgs } from './simd-conv.js';

/**
 * Whether conv2d_forward (4 pixels × 8 channels per tile) takes the layer. Measured at batch 16–64
 * (one thread against XNNPACK's two, min of 100 calls): Ci 1–2 won at Co 6–32 (LeNet-5's conv1
 * 0.63 against 1.40 ms), Ci 3–4 up to Co 8. Beyond, conv2d_forward_wide is faster than it
 * (Ci 3 → Co 16 at 14², b64: 0.32 against 0.40 ms; LeNet-5's conv2 0.62 against 0.79).
 */
function fewChannels(info: backend_util.Conv2DInfo): boolean {
  return info.inChannels <= 2 || (info.inChannels <= 4 && info.outChannels <= 8);
}

/** The widest layer (Ci·Co) at which the kernel blocked over output channels was measured against XNNPACK. */
const WIDE_UP_TO_CHANNEL_PRODUCT = 64 * 64;
/** The most XNNPACK threads it was measured against (this machine's 2; more threads would outrun one). */
const WIDE_UP_TO_THREADS = 2;

/**
 * Whether conv2d_forward_wide runs this layer. Same process, interleaved, a new filter every call,
 * 300 calls after 50, min/median ms, one thread against XNNPACK's 2 on this 2-core machine shared
 * with another benchmark (load 4–10): LeNet-5's conv2 (b64, 14²×6 → 5×5×16 valid, ReLU) 0.63/0.76
 * against 0.46/1.96 with a max pool and a ReLU before each call as in a training step, 0.67/1.03
 * against 0.57/7.3 back to back; 3×3 32→32 28² b8 2.34/2.63 against 1.84/4.40; 3×3 16→32 14² b16
 * 0.56/0.63 against 0.55/1.72; 3×3 64→64 14² b8 2.25/2.34 against 1.72/1.81 at a quiet moment,
 * 2.26/4.53 against 2.01/9.11 under load. XNNPACK's best call is 10–30 % faster when both cores
 * are free (this kernel is at the machine's one-thread multiply + add peak: wasm SIMD has no FMA),
 * its typical call 1.5–4× slower, because every call waits for both threads; hence this kernel at
 * up to 2 XNNPACK threads, XNNPACK's with more, whose pool then outruns one thread.
 */
function wideWins(info: backend_util.Conv2DInfo, threads: number): boolean {
  return threads <= WIDE_UP_TO_THREADS && info.inChannels * info.outChannels <= WIDE_UP_TO_CHANNEL_PRODUCT;
}

/** 'simd': the few-channel kernel (conv2d_forward); 'wide': the one blocked over 16 output channels (conv2d_forward_wide). */
export type ForwardRoute = 'simd' | 'wide' | 'stock';

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
  threads = 1,
): ForwardRoute {
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
  if (fewChannels(info)) return 'simd';
  return wideWins(info, threads) ? 'wide' : 'stock';
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
  route: 'simd' | 'wide' = 'simd',
  threads = 1,
): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const sizes = [inHeight, inWidth, inChannels, outHeight, outWidth, outChannels];
  const flags = [at.bias === undefined ? 0 : 1, relu ? 1 : 0];
  const kernel = route === 'wide' ? 'conv2d_forward_wide' : 'conv2d_forward';
  // Images are independent: each part is the same kernel on its own images, with its own scratch.
  const [image, outImage, scratch] = [
    4 * inHeight * inWidth * inChannels,
    4 * outHeight * outWidth * outChannels,
    partScratchBytes(forwardScratchBytes(info)),
  ];
  const calls = batchParts(batchSize, threads).map(([first, count], part) => [
    at.x + first * image,
    at.filter,
    at.bias ?? 0,
    at.y + first * outImage,
    at.scratch + part * scratch,
    count,
    ...sizes,
    ...windowArgs(info),
    ...flags,
  ]);
  simd.split(kernel, calls);
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
  const operands = { x, filter, bias, preluActivationWeights };
  const route = simd ? forwardRoute(info, attrs, operands, true, tfjsThreads(wasm)) : 'stock';
  if (!simd || route === 'stock') {
    return boundStockKernel(args.backend, FusedConv2D)(args);
  }
  const y = wasm.makeOutput(info.outShape, 'float32');
  const parts = batchParts(info.batchSize, simd.threads).length;
  const scratch = simd.scratch(parts * partScratchBytes(forwardScratchBytes(info)));
  const at = {
    x: heapOffset(wasm, x),
    filter: heapOffset(wasm, filter),
    bias: bias ? heapOffset(wasm, bias) : undefined,
    y: heapOffset(wasm, y),
    scratch,
  };
  runForwardKernel(simd, info, at, attrs.activation === 'relu', route, parts);
  return y;
};

/** FusedConv2D on wasm: convkit's SIMD kernel for few input channels, the stock kernel otherwise. */
export const fusedConv2DConfig: KernelConfig = {
  kernelName: FusedConv2D,
  backendName: 'wasm',
  kernelFunc: fusedConv2D,
};
