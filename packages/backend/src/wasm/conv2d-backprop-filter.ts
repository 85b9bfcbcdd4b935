// Conv2DBackpropFilter for the wasm backend, which ships without it (tfjs
// issue 8474), by one of three routes, because none wins everywhere:
//
// - convkit's SIMD kernel (wasm-kernels/conv2d-backprop-filter.c), where
//   simdKernels() has the module (initBackend('wasm') prepares it): one pass
//   over x and dy per image, outer products of KW·Ci input values and Co
//   gradients accumulated in registers, on the calling thread. It exists
//   because XNNPACK (the two routes below) builds a new operator for every new
//   dy, i.e. every training step. Same process, interleaved, min/median ms,
//   the kernel on one thread against XNNPACK on 2, this 2-core machine at load
//   5 (others benchmarking; 200 calls after 50, 60 after 10 for AlexNet's):
//   LeNet-5 b64 conv1 (x 64×28×28×1, 5×5 pad 2, Co 6) 0.80/0.86 against
//   1.84/1.96 and conv2 (x 64×14×14×6, 5×5 valid, Co 16) 0.60/1.06 against
//   0.97/1.49; 3×3 64→64 on 28² b16 18.6/19.7 against 41.5/44.0; and wide
//   layers too, 3×3 128→128 on 14² b16 18.8/21.2 against the taps route's
//   51.8/65.9, AlexNet's 3×3 256→384 on 13² b8 53.1/65.9 against 89.4/111.8.
//   Where XNNPACK has more than 2 threads, layers with Ci·Co ≥ 128² stay on
//   its taps route, whose matrix products use them all (not measured here).
// - as one XNNPACK convolution: dW[kh,kw,ci,co] = Σ_{n,oh,ow} x[n, oh·s+kh−p, ·, ci]·dy[n,oh,ow,co]
//   is a convolution of x transposed to [Ci, H, W, N] (batch ↔ channels) with
//   dy transposed to [OH, OW, N, Co] used as the filter, the forward stride
//   becoming the dilation. Fast when Ci·Co is small (LeNet: 1.3 ms for a
//   layer where tfjs-cpu takes seconds), but XNNPACK's indirection buffer
//   grows with Ci·KH·KW·OH·OW and its inner loop runs over only N values.
// - one matrix product per filter tap: dW[kh,kw] = X_tap[Ci, P] · dy[P, Co],
//   P = N·OH·OW, where X_tap is the input shifted by the tap (gathered here
//   in JS, one reused buffer). Better than one convolution for wide layers
//   (Ci·Co ≥ 128²).
//
// Most of the convolution route's time is XNNPACK building an operator for a
// "filter" (dy) it has never seen: tfjs caches operators by the filter's data,
// and dy is new every step. LeNet-5, 2 threads, min per call: conv1's Conv2D
// takes 0.34 ms with a cached filter and 2.2 ms with a fresh one, conv2's 0.45
// and 1.2 ms (packing is single-threaded). Measured and slower: x as the
// filter (conv1 2.6 ms against 1.9: one output channel), a depthwise
// convolution (9.7 ms), one matrix product with dy [N·OH·OW, Co] as its
// weights (1.2 ms for the product alone, before gathering the patches).
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  backend_util,
  Conv2DBackpropFilter,
  type Conv2DBackpropFilterAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { plainMatMul } from './batch-mat-mul.js';
import {
  assertChannelsLast,
  asWasm,
  explicitPad,
  heapF32,
  release,
  requireInput,
  runWasmKernel,
  withShape,
} from './heap.js';
import { heapOffset, type SimdKernels, simdKernels, tfjsThreads } from './simd/module.js';
import { batchParts, partScratchBytes } from './simd-conv.js';
import { COLUMN_SUM_SCRATCH_BYTES } from './sum.js';

/** Above this Ci·Co the per-tap matrix products beat the single convolution. */
const TAPS_FROM_CHANNEL_PRODUCT = 128 * 128;
/** XNNPACK indirection pointers (4 bytes each) beyond which the convolution route uses too much memory. */
const MAX_INDIRECTION_POINTERS = 2 ** 25;

type ConvInfo = backend_util.Conv2DInfo;

/** From this Ci·Co on, the SIMD kernel (one thread) is left to XNNPACK's taps route where that has more than 2 threads. */
const SIMD_BELOW_CHANNEL_PRODUCT = 128 * 128;
/** The most XNNPACK threads at which the SIMD kernel was measured to win at every Ci·Co (the comment at the top). */
const SIMD_WIDE_UP_TO_THREADS = 2;
/** The SIMD kernel's scratch beyond which it leaves the shape to XNNPACK (a huge padded image). */
const MAX_SIMD_SCRATCH_BYTES = 2 ** 28;
/** Floats of dy per tile of output rows: with the image rows it reads, the tile stays in L1/L2. */
const SIMD_TILE_FLOATS = 8192;

/**
 * Which route computes the filter gradient of a convolution (exported for tests): with `simd`
 * (the SIMD kernels are there), the SIMD kernel where it is faster than XNNPACK on `threads`
 * threads; XNNPACK's routes otherwise.
 */
export function filterGradRoute(info: ConvInfo, simd = false, threads = 1): 'simd' | 'convolution' | 'taps' {
  const { inChannels, outChannels, filterHeight, filterWidth, outHeight, outWidth } = info;
  if (simd && simdFits(info, threads)) return 'simd';
  if (inChannels * outChannels >= TAPS_FROM_CHANNEL_PRODUCT) return 'taps';
  const pointers = inChannels * filterHeight * filterWidth * outHeight * outWidth;
  return pointers > MAX_INDIRECTION_POINTERS ? 'taps' : 'convolution';
}

const conv2DBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = asWasm(backend);
  const x = requireInput(inputs, 'x', Conv2DBackpropFilter);
  const dy = requireInput(inputs, 'dy', Conv2DBackpropFilter);
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as Conv2DBackpropFilterAttrs;
  assertChannelsLast(Conv2DBackpropFilter, dataFormat);
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const simd = simdKernels(wasm);
  const route = filterGradRoute(info, simd !== undefined, tfjsThreads(wasm));
  if (route === 'simd' && simd) return bySimd(wasm, simd, x, dy, info);
  return route === 'taps' ? byTaps(wasm, x, dy, info) : byConvolution(wasm, x, dy, info);
};

/** How the SIMD kernel tiles dy (rows of output per tile) and the scratch it needs (its layout comment). */
export function simdPlan(info: ConvInfo): { tileRows: number; scratchBytes: number } {
  const { inChannels, outChannels, filterHeight, filterWidth, outHeight, outWidth, strideHeight, strideWidth } = info;
  const paddedChannels = Math.ceil(outChannels / 4) * 4;
  const tileRows = Math.max(1, Math.min(outHeight, Math.floor(SIMD_TILE_FLOATS / (outWidth * paddedChannels))));
  const paddedHeight = (outHeight - 1) * strideHeight + filterHeight;
  const paddedWidth = (outWidth - 1) * strideWidth + filterWidth;
  const accumulators = filterHeight * (filterWidth * inChannels + 8) * paddedChannels;
  const image = Math.ceil((paddedHeight * paddedWidth * inChannels + 8) / 16) * 16;
  const floats = accumulators + image + tileRows * outWidth * paddedChannels + 16;
  return { tileRows, scratchBytes: floats * 4 };
}

function simdFits(info: ConvInfo, threads: number): boolean {
  const { batchSize, inHeight, inWidth, inChannels, outChannels, outHeight, outWidth } = info;
  if (Math.min(batchSize, inHeight, inWidth, inChannels, outChannels, outHeight, outWidth) <= 0) return false;
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) return false;
  if (inChannels * outChannels >= SIMD_BELOW_CHANNEL_PRODUCT && threads > SIMD_WIDE_UP_TO_THREADS) return false;
  return simdPlan(info).scratchBytes <= MAX_SIMD_SCRATCH_BYTES;
}

/**
 * dW by the SIMD kernel. Split over threads, each part sums its own images' gradient into its own
 * buffer with its own scratch, and column_sum adds the parts in order: the same sums as one call,
 * grouped by part, so float32 rounding may differ in the last bits.
 */
function bySimd(backend: BackendWasm, simd: SimdKernels, x: TensorInfo, dy: TensorInfo, info: ConvInfo): TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;
  const out = backend.makeOutput([filterHeight, filterWidth, inChannels, outChannels], 'float32');
  const { tileRows, scratchBytes } = simdPlan(info);
  const parts = batchParts(batchSize, simd.threads);
  const filterFloats = filterHeight * filterWidth * inChannels * outChannels;
  const [each, partials] = [partScratchBytes(scratchBytes), 4 * filterFloats];
  const split = parts.length > 1;
  const scratch = simd.scratch(parts.length * each + (split ? parts.length * partials + COLUMN_SUM_SCRATCH_BYTES : 0));
  const gradients = scratch + parts.length * each;
  const [xAt, dyAt] = [heapOffset(backend, x), heapOffset(backend, dy)];
  const [image, outImage] = [4 * inHeight * inWidth * inChannels, 4 * outHeight * outWidth * outChannels];
  const sizes = [inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth];
  const window = [strideHeight, strideWidth, padInfo.top, padInfo.left, tileRows];
  const calls = parts.map(([first, count], part) => [
    xAt + first * image,
    dyAt + first * outImage,
    split ? gradients + part * partials : heapOffset(backend, out),
    scratch + part * each,
    count,
    ...sizes,
    ...window,
  ]);
  simd.split('conv2d_backprop_filter', calls);
  if (split) {
    // The parts' gradients, back to back, are a [parts, dW size] matrix: its column sums are dW.
    const sumScratch = gradients + parts.length * partials;
    simd.fn('column_sum')(gradients, heapOffset(backend, out), parts.length, filterFloats, sumScratch);
  }
  return out;
}

function byConvolution(backend: BackendWasm, x: TensorInfo, dy: TensorInfo, info: ConvInfo): TensorInfo {
  const { inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth } = info;
  const { strideHeight, strideWidth, padInfo } = info;
  const xT = runWasmKernel(backend, 'Transpose', { x }, { perm: [3, 1, 2, 0] });
  // dy [N, OH, OW, Co] → [OH, OW, N, Co]. The stock Transpose, not a JS loop: on the threaded build's
  // shared heap it is 1.3–2.7× faster at LeNet's and AlexNet's shapes, on the single-threaded one too (measured).
  const dyT = runWasmKernel(backend, 'Transpose', { x: dy }, { perm: [1, 2, 0, 3] });
  // Pad below/right only as far as the last tap reaches: forward padding that
  // no tap reads would only add rows to slice away.
  const bottom = Math.max(0, strideHeight * (outHeight - 1) + filterHeight - inHeight - padInfo.top);
  const right = Math.max(0, strideWidth * (outWidth - 1) + filterWidth - inWidth - padInfo.left);
  const grads = runWasmKernel(
    backend,
    'Conv2D',
    { x: xT, filter: dyT },
    {
      strides: [1, 1],
      dilations: [strideHeight, strideWidth],
      pad: explicitPad(padInfo.top, bottom, padInfo.left, right),
      dataFormat: 'NHWC',
    },
  );
  release(backend, xT, dyT);
  const [, gradHeight = 0, gradWidth = 0] = grads.shape;
  const filterShape = [filterHeight, filterWidth, inChannels, outChannels];
  if (inChannels === 1 && gradHeight === filterHeight && gradWidth === filterWidth) {
    return withShape(grads, filterShape); // [1, KH, KW, Co] is already [KH, KW, 1, Co]
  }
  // [Ci, ≥KH, ≥KW, Co] → [KH, KW, Ci, Co], dropping rows no tap produced.
  const out = backend.makeOutput(filterShape, 'float32');
  const src = heapF32(backend, grads);
  const dst = heapF32(backend, out);
  for (let kh = 0; kh < filterHeight; kh++) {
    for (let kw = 0; kw < filterWidth; kw++) {
      for (let ci = 0; ci < inChannels; ci++) {
        const from = ((ci * gradHeight + kh) * gradWidth + kw) * outChannels;
        dst.set(src.subarray(from, from + outChannels), ((kh * filterWidth + kw) * inChannels + ci) * outChannels);
      }
    }
  }
  release(backend, grads);
  return out;
}

function byTaps(backend: BackendWasm, x: TensorInfo, dy: TensorInfo, info: ConvInfo): TensorInfo {
  const { batchSize, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth } = info;
  const positions = batchSize * outHeight * outWidth;
  const xT = runWasmKernel(backend, 'Transpose', { x }, { perm: [3, 0, 1, 2] }); // [Ci, N, H, W]
  const patch = backend.makeOutput([inChannels, positions], 'float32');
  const out = backend.makeOutput([filterHeight, filterWidth, inChannels, outChannels], 'float32');
  const dyMatrix = withShape(dy, [positions, outChannels]);
  const tapSize = inChannels * outChannels;
  for (let kh = 0; kh < filterHeight; kh++) {
    for (let kw = 0; kw < filterWidth; kw++) {
      gatherTap(heapF32(backend, xT), heapF32(backend, patch), info, kh, kw);
      const product = plainMatMul(backend, patch, dyMatrix);
      heapF32(backend, out).set(heapF32(backend, product), (kh * filterWidth + kw) * tapSize);
      release(backend, product);
    }
  }
  release(backend, xT, patch);
  return out;
}

/** Writes the input seen by tap (kh, kw) at every output position, as [Ci, N·OH·OW], zeros where it reads padding. */
function gatherTap(xT: Float32Array, patch: Float32Array, info: ConvInfo, kh: number, kw: number): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, strideHeight, strideWidth, padInfo } = info;
  // Output columns whose tap lands inside the input: [owStart, owEnd).
  const owStart = Math.max(0, Math.ceil((padInfo.left - kw) / strideWidth));
  const owEnd = Math.max(owStart, Math.min(outWidth, Math.ceil((inWidth + padInfo.left - kw) / strideWidth)));
  for (let ci = 0; ci < inChannels; ci++) {
    for (let n = 0; n < batchSize; n++) {
      const plane = (ci * batchSize + n) * inHeight;
      for (let oh = 0; oh < outHeight; oh++) {
        const row = ((ci * batchSize + n) * outHeight + oh) * outWidth;
        const ih = oh * strideHeight + kh - padInfo.top;
        if (ih < 0 || ih >= inHeight) {
          patch.fill(0, row, row + outWidth);
          continue;
        }
        patch.fill(0, row, row + owStart);
        patch.fill(0, row + owEnd, row + outWidth);
        const from = (plane + ih) * inWidth + owStart * strideWidth + kw - padInfo.left;
        if (strideWidth === 1) {
          patch.set(xT.subarray(from, from + owEnd - owStart), row + owStart);
        } else {
          for (let ow = owStart, i = from; ow < owEnd; ow++, i += strideWidth) patch[row + ow] = xT[i] ?? 0;
        }
      }
    }
  }
}

/** Conv2DBackpropFilter on the wasm backend: the filter gradient of a 2-D convolution (NHWC, HWIO). */
export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter,
};
