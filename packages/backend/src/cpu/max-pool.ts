import {
  backend_util,
  type KernelConfig,
  type KernelFunc,
  MaxPool,
  type MaxPoolAttrs,
  MaxPoolGrad,
  type MaxPoolGradAttrs,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { BackendError } from '../errors.js';
import { floatValues, type KernelArgs } from './cpu-data.js';

// Max pooling on NHWC data with the channel loop innermost, so every pass
// reads whole contiguous pixels. The gradient recomputes each window's
// argmax once per output pixel and scatters dy there: O(window) work per
// output, where the stock kernel searches O(window²) per input pixel.
//
// Tie and NaN rules follow tfjs' `maxPoolPositions`: the window is scanned
// row by row and a value wins only if strictly greater than the best so far,
// starting from -Infinity. So the first maximum gets the gradient, NaNs never
// win, and a window of only -Infinity/NaN passes no gradient at all.

type PoolInfo = backend_util.Conv2DInfo;
type Shape4 = [number, number, number, number];

/** The in-bounds rows or columns of a window that starts at `corner` (padding excluded). */
function windowRange(corner: number, size: number, limit: number): [number, number] {
  return [Math.max(0, corner), Math.min(limit, corner + size)];
}

/** Max pooling of NHWC `x`; returns NHWC values of shape `info.outShape`. */
export function maxPoolChannelsLast(x: Float32Array, info: PoolInfo): Float32Array {
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth } = info;
  const { strideHeight, strideWidth, effectiveFilterHeight, effectiveFilterWidth } = info;
  const y = new Float32Array(batchSize * outHeight * outWidth * channels);
  y.fill(Number.NEGATIVE_INFINITY);
  let out = 0;
  for (let b = 0; b < batchSize; b++) {
    const image = b * inHeight * inWidth * channels;
    for (let oy = 0; oy < outHeight; oy++) {
      const [rowStart, rowEnd] = windowRange(oy * strideHeight - info.padInfo.top, effectiveFilterHeight, inHeight);
      for (let ox = 0; ox < outWidth; ox++, out += channels) {
        const [colStart, colEnd] = windowRange(ox * strideWidth - info.padInfo.left, effectiveFilterWidth, inWidth);
        for (let iy = rowStart; iy < rowEnd; iy++) {
          for (let ix = colStart; ix < colEnd; ix++) {
            const src = image + (iy * inWidth + ix) * channels;
            for (let c = 0; c < channels; c++) {
              const value = x[src + c] as number;
              if (value > (y[out + c] as number)) y[out + c] = value;
            }
          }
        }
      }
    }
  }
  return y;
}

/** Per-channel state of the argmax search, reused between calls. */
let bestValue = new Float64Array(0);
let bestIndex = new Int32Array(0);

/** The gradient of max pooling: `dy` (NHWC, `info.outShape`) routed to each window's first maximum in `x`. */
export function maxPoolGradChannelsLast(x: Float32Array, dy: Float32Array, info: PoolInfo): Float32Array {
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth } = info;
  const { strideHeight, strideWidth, effectiveFilterHeight, effectiveFilterWidth } = info;
  const dx = new Float32Array(x.length);
  if (bestValue.length < channels) {
    bestValue = new Float64Array(channels);
    bestIndex = new Int32Array(channels);
  }
  const best = bestValue;
  const at = bestIndex;
  let out = 0;
  for (let b = 0; b < batchSize; b++) {
    const image = b * inHeight * inWidth * channels;
    for (let oy = 0; oy < outHeight; oy++) {
      const [rowStart, rowEnd] = windowRange(oy * strideHeight - info.padInfo.top, effectiveFilterHeight, inHeight);
      for (let ox = 0; ox < outWidth; ox++, out += channels) {
        const [colStart, colEnd] = windowRange(ox * strideWidth - info.padInfo.left, effectiveFilterWidth, inWidth);
        best.fill(Number.NEGATIVE_INFINITY, 0, channels);
        at.fill(-1, 0, channels);
        for (let iy = rowStart; iy < rowEnd; iy++) {
          for (let ix = colStart; ix < colEnd; ix++) {
            const src = image + (iy * inWidth + ix) * channels;
            for (let c = 0; c < channels; c++) {
              const value = x[src + c] as number;
              if (value > (best[c] as number)) {
                best[c] = value;
                at[c] = src + c;
              }
            }
          }
        }
        for (let c = 0; c < channels; c++) {
          const index = at[c] as number;
          if (index >= 0) dx[index] = (dx[index] as number) + (dy[out + c] as number);
        }
      }
    }
  }
  return dx;
}

function poolInfo(xShape: readonly number[], attrs: MaxPoolAttrs): PoolInfo {
  const { filterSize, strides, pad, dimRoundingMode } = attrs;
  return backend_util.computePool2DInfo(xShape as Shape4, filterSize, strides, 1, pad, dimRoundingMode);
}

function maxPoolKernel({ inputs, backend, attrs }: KernelArgs<{ x: TensorInfo }, MaxPoolAttrs>) {
  const { x } = inputs;
  const info = poolInfo(x.shape, attrs);
  const y = maxPoolChannelsLast(floatValues(backend, x, MaxPool), info);
  // The ops pass float32; an int32 tensor (a direct kernel call) keeps its dtype, as in tfjs.
  return backend.makeTensorInfo(info.outShape, x.dtype, x.dtype === 'float32' ? y : Int32Array.from(y));
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((dim, i) => dim === b[i]);
}

/**
 * The pooling geometry that produced `dy`. tfjs-core's maxPool gradient
 * drops `dimRoundingMode` when it calls this kernel, so with a numeric pad
 * and 'ceil' or 'round' the attributes describe a smaller output than the
 * forward pass made (the stock kernel then silently drops the last rows of
 * dy). The rounding that reproduces dy's shape is the one the forward used.
 */
function gradPoolInfo(inputShape: readonly number[], dyShape: readonly number[], attrs: MaxPoolGradAttrs): PoolInfo {
  const info = poolInfo(inputShape, attrs);
  if (sameShape(info.outShape, dyShape)) return info;
  for (const dimRoundingMode of ['floor', 'round', 'ceil'] as const) {
    const rounded = poolInfo(inputShape, { ...attrs, dimRoundingMode });
    if (sameShape(rounded.outShape, dyShape)) return rounded;
  }
  throw new BackendError(
    'cpu',
    `MaxPoolGrad: dy has shape [${dyShape}], but pooling [${inputShape}] gives [${info.outShape}]`,
  );
}

function maxPoolGradKernel({
  inputs,
  backend,
  attrs,
}: KernelArgs<{ dy: TensorInfo; input: TensorInfo; output: TensorInfo }, MaxPoolGradAttrs>) {
  const { dy, input } = inputs;
  const info = gradPoolInfo(input.shape, dy.shape, attrs);
  const dyValues = floatValues(backend, dy, MaxPoolGrad);
  const dx = maxPoolGradChannelsLast(floatValues(backend, input, MaxPoolGrad), dyValues, info);
  return backend.makeTensorInfo(input.shape, 'float32', dx);
}

/** MaxPool (NHWC), one pass over each window with contiguous channel loops. */
export const maxPoolConfig: KernelConfig = {
  kernelName: MaxPool,
  backendName: 'cpu',
  kernelFunc: maxPoolKernel as unknown as KernelFunc,
};

/** MaxPoolGrad: dy scattered to each window's first maximum, found in one pass. */
export const maxPoolGradConfig: KernelConfig = {
  kernelName: MaxPoolGrad,
  backendName: 'cpu',
  kernelFunc: maxPoolGradKernel as unknown as KernelFunc,
};
