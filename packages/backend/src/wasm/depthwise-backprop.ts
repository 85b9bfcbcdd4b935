// The two gradients of a depthwise convolution, which the wasm backend lacks
// (tfjs issue 8474). A depthwise layer does Σ_taps work per output value with
// no channel contraction, so it is memory-bound: plain JS loops on the wasm
// heap, channels innermost, are as fast as a detour through XNNPACK would be
// and need no copies. Dilation is honoured (tfjs-cpu ignores it here).
import {
  backend_util,
  DepthwiseConv2dNativeBackpropFilter,
  type DepthwiseConv2dNativeBackpropFilterAttrs,
  DepthwiseConv2dNativeBackpropInput,
  type DepthwiseConv2dNativeBackpropInputAttrs,
  type KernelConfig,
  type KernelFunc,
} from '@tensorflow/tfjs-core';
import { asWasm, heapF32, requireInput } from './heap.js';

type Shape4 = [number, number, number, number];

/** For output row/column `o`, the taps that land inside the input: [start, end). */
function tapRange(
  o: number,
  stride: number,
  dilation: number,
  pad: number,
  size: number,
  taps: number,
): [number, number] {
  const corner = o * stride - pad;
  const start = Math.max(0, Math.ceil(-corner / dilation));
  const end = Math.min(taps, Math.ceil((size - corner) / dilation));
  return [start, Math.max(start, end)];
}

const depthwiseBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = asWasm(backend);
  const x = requireInput(inputs, 'x', DepthwiseConv2dNativeBackpropFilter);
  const dy = requireInput(inputs, 'dy', DepthwiseConv2dNativeBackpropFilter);
  const { strides, dilations, pad, dimRoundingMode, filterShape } =
    attrs as unknown as DepthwiseConv2dNativeBackpropFilterAttrs;
  const info = backend_util.computeConv2DInfo(
    x.shape as Shape4,
    filterShape,
    strides,
    dilations,
    pad,
    dimRoundingMode,
    true,
  );
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth } =
    info;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth, padInfo } = info;
  const multiplier = outChannels / inChannels;
  // Sums over N·OH·OW terms: accumulate in float64, as tfjs-cpu does.
  const sums = new Float64Array(filterHeight * filterWidth * outChannels);
  const dw = wasm.makeOutput(filterShape, 'float32');
  const xValues = heapF32(wasm, x);
  const dyValues = heapF32(wasm, dy);
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const [khStart, khEnd] = tapRange(oh, strideHeight, dilationHeight, padInfo.top, inHeight, filterHeight);
      for (let ow = 0; ow < outWidth; ow++) {
        const [kwStart, kwEnd] = tapRange(ow, strideWidth, dilationWidth, padInfo.left, inWidth, filterWidth);
        const dyBase = ((b * outHeight + oh) * outWidth + ow) * outChannels;
        for (let kh = khStart; kh < khEnd; kh++) {
          const ih = oh * strideHeight - padInfo.top + kh * dilationHeight;
          for (let kw = kwStart; kw < kwEnd; kw++) {
            const iw = ow * strideWidth - padInfo.left + kw * dilationWidth;
            const xBase = ((b * inHeight + ih) * inWidth + iw) * inChannels;
            const tap = (kh * filterWidth + kw) * outChannels;
            for (let c = 0; c < inChannels; c++) {
              const xv = xValues[xBase + c] ?? 0;
              for (let m = 0, k = c * multiplier; m < multiplier; m++, k++) {
                sums[tap + k] = (sums[tap + k] ?? 0) + xv * (dyValues[dyBase + k] ?? 0);
              }
            }
          }
        }
      }
    }
  }
  heapF32(wasm, dw).set(sums);
  return dw;
};

const depthwiseBackpropInput: KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = asWasm(backend);
  const dy = requireInput(inputs, 'dy', DepthwiseConv2dNativeBackpropInput);
  const filter = requireInput(inputs, 'filter', DepthwiseConv2dNativeBackpropInput);
  const { strides, dilations, pad, dimRoundingMode, inputShape } =
    attrs as unknown as DepthwiseConv2dNativeBackpropInputAttrs;
  const info = backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as Shape4,
    strides,
    dilations,
    pad,
    dimRoundingMode,
    true,
  );
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth } =
    info;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth, padInfo } = info;
  const multiplier = outChannels / inChannels;
  const dx = wasm.makeOutput(info.inShape, 'float32');
  const dyValues = heapF32(wasm, dy);
  const w = heapF32(wasm, filter);
  const dxValues = heapF32(wasm, dx);
  dxValues.fill(0);
  // Scatter each output position's gradient back along its taps.
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const [khStart, khEnd] = tapRange(oh, strideHeight, dilationHeight, padInfo.top, inHeight, filterHeight);
      for (let ow = 0; ow < outWidth; ow++) {
        const [kwStart, kwEnd] = tapRange(ow, strideWidth, dilationWidth, padInfo.left, inWidth, filterWidth);
        const dyBase = ((b * outHeight + oh) * outWidth + ow) * outChannels;
        for (let kh = khStart; kh < khEnd; kh++) {
          const ih = oh * strideHeight - padInfo.top + kh * dilationHeight;
          for (let kw = kwStart; kw < kwEnd; kw++) {
            const iw = ow * strideWidth - padInfo.left + kw * dilationWidth;
            const dxBase = ((b * inHeight + ih) * inWidth + iw) * inChannels;
            const tap = (kh * filterWidth + kw) * outChannels;
            for (let c = 0; c < inChannels; c++) {
              let sum = 0;
              for (let m = 0, k = c * multiplier; m < multiplier; m++, k++) {
                sum += (dyValues[dyBase + k] ?? 0) * (w[tap + k] ?? 0);
              }
              dxValues[dxBase + c] = (dxValues[dxBase + c] ?? 0) + sum;
            }
          }
        }
      }
    }
  }
  return dx;
};

/** DepthwiseConv2dNativeBackpropFilter on the wasm backend (NHWC; filter [KH, KW, C, multiplier]). */
export const depthwiseBackpropFilterConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropFilter,
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropFilter,
};

/** DepthwiseConv2dNativeBackpropInput on the wasm backend (NHWC; filter [KH, KW, C, multiplier]). */
export const depthwiseBackpropInputConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropInput,
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropInput,
};
