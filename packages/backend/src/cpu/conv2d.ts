import {
  backend_util,
  Conv2D,
  type Conv2DAttrs,
  Conv2DBackpropFilter,
  type Conv2DBackpropFilterAttrs,
  Conv2DBackpropInput,
  type Conv2DBackpropInputAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { col2imAdd, im2col, toChannelsFirst, toChannelsLast } from './conv-layout.js';
import { floatValues, type KernelArgs } from './cpu-data.js';
import { gemm, rowMajor, transposed } from './gemm.js';
import { CHUNK_FLOATS, Scratch } from './scratch.js';

// Convolution and its two gradients as matrix products over the im2col
// patch matrix P (one row per output pixel, one column per filter tap × input
// channel) and the HWIO filter W seen as a (taps·inChannels) × outChannels
// matrix:  y = P·W,  dW = Pᵀ·dy,  dx = col2im(dy·Wᵀ).
// P is built a chunk of rows at a time so a large batch never needs it whole.

type ConvInfo = backend_util.Conv2DInfo;

const patchScratch = new Scratch();

/** Output pixels per chunk: at least one matrix tile, at most `chunkFloats` patch entries. */
function chunkRows(depth: number, chunkFloats: number): number {
  return Math.max(4, Math.floor(chunkFloats / Math.max(depth, 1)));
}

/** A 1×1 convolution with stride 1 and no padding reads the image itself as its patch matrix. */
function isPointwise(info: ConvInfo): boolean {
  const { padInfo } = info;
  return (
    info.filterHeight === 1 &&
    info.filterWidth === 1 &&
    info.strideHeight === 1 &&
    info.strideWidth === 1 &&
    padInfo.top === 0 &&
    padInfo.bottom === 0 &&
    padInfo.left === 0 &&
    padInfo.right === 0
  );
}

/**
 * `y = conv(x, w)` for NHWC `x`, HWIO `w`; returns NHWC `y`. `chunkFloats`
 * bounds the patch matrix built at once (tests shrink it to cover chunking).
 */
export function conv2dChannelsLast(
  x: Float32Array,
  w: Float32Array,
  info: ConvInfo,
  chunkFloats = CHUNK_FLOATS,
): Float32Array {
  const { outChannels } = info;
  const rows = info.batchSize * info.outHeight * info.outWidth;
  const depth = info.filterHeight * info.filterWidth * info.inChannels;
  const y = new Float32Array(rows * outChannels);
  const weights = rowMajor(w, 0, outChannels);
  if (isPointwise(info)) {
    gemm(rows, outChannels, depth, rowMajor(x, 0, depth), weights, y, 0, outChannels, false);
    return y;
  }
  const step = chunkRows(depth, chunkFloats);
  const patches = patchScratch.get(Math.min(rows, step) * depth);
  for (let start = 0; start < rows; start += step) {
    const count = Math.min(step, rows - start);
    im2col(x, info, start, count, patches);
    gemm(count, outChannels, depth, rowMajor(patches, 0, depth), weights, y, start * outChannels, outChannels, false);
  }
  return y;
}

/** `dW = Pᵀ·dy` for NHWC `x` and `dy`; returns the HWIO filter gradient. */
export function conv2dFilterGradChannelsLast(
  x: Float32Array,
  dy: Float32Array,
  info: ConvInfo,
  chunkFloats = CHUNK_FLOATS,
): Float32Array {
  const { outChannels } = info;
  const rows = info.batchSize * info.outHeight * info.outWidth;
  const depth = info.filterHeight * info.filterWidth * info.inChannels;
  const dw = new Float32Array(depth * outChannels);
  if (isPointwise(info)) {
    gemm(depth, outChannels, rows, transposed(x, 0, depth), rowMajor(dy, 0, outChannels), dw, 0, outChannels, false);
    return dw;
  }
  const step = chunkRows(depth, chunkFloats);
  const patches = patchScratch.get(Math.min(rows, step) * depth);
  for (let start = 0; start < rows; start += step) {
    const count = Math.min(step, rows - start);
    im2col(x, info, start, count, patches);
    const dyRows = rowMajor(dy, start * outChannels, outChannels);
    gemm(depth, outChannels, count, transposed(patches, 0, depth), dyRows, dw, 0, outChannels, start > 0);
  }
  return dw;
}

/** `dx = col2im(dy·Wᵀ)` for NHWC `dy` and HWIO `w`; returns the NHWC input gradient. */
export function conv2dInputGradChannelsLast(
  dy: Float32Array,
  w: Float32Array,
  info: ConvInfo,
  chunkFloats = CHUNK_FLOATS,
): Float32Array {
  const { outChannels } = info;
  const rows = info.batchSize * info.outHeight * info.outWidth;
  const depth = info.filterHeight * info.filterWidth * info.inChannels;
  const dx = new Float32Array(info.batchSize * info.inHeight * info.inWidth * info.inChannels);
  const weightsT = transposed(w, 0, outChannels);
  if (isPointwise(info)) {
    gemm(rows, depth, outChannels, rowMajor(dy, 0, outChannels), weightsT, dx, 0, depth, false);
    return dx;
  }
  const step = chunkRows(depth, chunkFloats);
  const patches = patchScratch.get(Math.min(rows, step) * depth);
  for (let start = 0; start < rows; start += step) {
    const count = Math.min(step, rows - start);
    gemm(count, depth, outChannels, rowMajor(dy, start * outChannels, outChannels), weightsT, patches, 0, depth, false);
    col2imAdd(patches, info, start, count, dx);
  }
  return dx;
}

type Shape4 = [number, number, number, number];

/** The convolution's geometry from a kernel's attributes (data format and rounding as tfjs reads them). */
function geometry(
  xShape: Shape4,
  filterShape: Shape4,
  attrs: Pick<Conv2DAttrs, 'strides' | 'pad' | 'dataFormat' | 'dimRoundingMode'>,
  dilations: Conv2DAttrs['dilations'] = 1,
): backend_util.Conv2DInfo {
  const format = backend_util.convertConv2DDataFormat(attrs.dataFormat);
  return backend_util.computeConv2DInfo(
    xShape,
    filterShape,
    attrs.strides,
    dilations,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    format,
  );
}

function conv2dKernel({ inputs, backend, attrs }: KernelArgs<{ x: TensorInfo; filter: TensorInfo }, Conv2DAttrs>) {
  const { x, filter } = inputs;
  const info = geometry(x.shape as Shape4, filter.shape as Shape4, attrs, attrs.dilations);
  const channelsFirst = info.dataFormat === 'channelsFirst';
  let xValues = floatValues(backend, x, Conv2D);
  if (channelsFirst) xValues = toChannelsLast(xValues, x.shape as Shape4);
  let y = conv2dChannelsLast(xValues, floatValues(backend, filter, Conv2D), info);
  if (channelsFirst) y = toChannelsFirst(y, info.outShape);
  return backend.makeTensorInfo(info.outShape, 'float32', y);
}

function conv2dBackpropFilterKernel({
  inputs,
  backend,
  attrs,
}: KernelArgs<{ x: TensorInfo; dy: TensorInfo }, Conv2DBackpropFilterAttrs>) {
  const { x, dy } = inputs;
  const info = geometry(x.shape as Shape4, attrs.filterShape, attrs);
  let xValues = floatValues(backend, x, Conv2DBackpropFilter);
  let dyValues = floatValues(backend, dy, Conv2DBackpropFilter);
  if (info.dataFormat === 'channelsFirst') {
    xValues = toChannelsLast(xValues, x.shape as Shape4);
    dyValues = toChannelsLast(dyValues, dy.shape as Shape4);
  }
  const dw = conv2dFilterGradChannelsLast(xValues, dyValues, info);
  return backend.makeTensorInfo(info.filterShape, 'float32', dw);
}

function conv2dBackpropInputKernel({
  inputs,
  backend,
  attrs,
}: KernelArgs<{ dy: TensorInfo; filter: TensorInfo }, Conv2DBackpropInputAttrs>) {
  const { dy, filter } = inputs;
  const info = geometry(attrs.inputShape, filter.shape as Shape4, attrs);
  const channelsFirst = info.dataFormat === 'channelsFirst';
  let dyValues = floatValues(backend, dy, Conv2DBackpropInput);
  if (channelsFirst) dyValues = toChannelsLast(dyValues, dy.shape as Shape4);
  let dx = conv2dInputGradChannelsLast(dyValues, floatValues(backend, filter, Conv2DBackpropInput), info);
  if (channelsFirst) dx = toChannelsFirst(dx, info.inShape);
  return backend.makeTensorInfo(info.inShape, 'float32', dx);
}

/** Conv2D as im2col + SGEMM. */
export const conv2dConfig: KernelConfig = {
  kernelName: Conv2D,
  backendName: 'cpu',
  kernelFunc: conv2dKernel as unknown as KernelFunc,
};

/** The filter gradient of Conv2D as (patch matrix)ᵀ · dy. */
export const conv2dBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'cpu',
  kernelFunc: conv2dBackpropFilterKernel as unknown as KernelFunc,
};

/** The input gradient of Conv2D as col2im(dy · Wᵀ). */
export const conv2dBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: 'cpu',
  kernelFunc: conv2dBackpropInputKernel as unknown as KernelFunc,
};
