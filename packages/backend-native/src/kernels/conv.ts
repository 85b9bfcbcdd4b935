import {
  backend_util,
  Conv2D,
  type Conv2DAttrs,
  Conv2DBackpropFilter,
  type Conv2DBackpropFilterAttrs,
  Conv2DBackpropInput,
  type Conv2DBackpropInputAttrs,
  DepthwiseConv2dNative,
  DepthwiseConv2dNativeBackpropFilter,
  type DepthwiseConv2dNativeBackpropFilterAttrs,
  DepthwiseConv2dNativeBackpropInput,
  type DepthwiseConv2dNativeBackpropInputAttrs,
  FusedConv2D,
  type FusedConv2DAttrs,
  FusedDepthwiseConv2D,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { loadAddon } from '../addon.js';
import { ACTIVATIONS, f32, type KernelArgs, type NativeKernel, output, sameShape, sizeOf, version } from './kernel.js';

// Convolutions through oneDNN (native/conv.cc). tfjs describes the geometry
// with computeConv2DInfo; this file turns it into the addon's 18 integers.

type Shape4 = [number, number, number, number];
type Info = backend_util.Conv2DInfo;

/**
 * The padding after the data that makes oneDNN's floor formula give tfjs'
 * output size: tfjs' own when it does, else the exact amount the last window
 * needs ('ceil' rounding, or a numeric pad whose last row no window reaches).
 * The floor formula gives `output` exactly when `after` covers what the last
 * window needs by less than one stride, so no output-size formula is needed
 * here (it lives in @convkit/shape and, for the addon, in C++).
 */
function padAfter(input: number, output: number, stride: number, extent: number, before: number, after: number) {
  const needed = (output - 1) * stride + extent - input - before;
  return after >= needed && after - needed < stride ? after : needed;
}

/** The addon's geometry array, or undefined for layouts it does not take (NCHW). */
export function convGeometry(info: Info, depthwise: boolean): Int32Array | undefined {
  if (info.dataFormat !== 'channelsLast') return undefined;
  const { padInfo: pad } = info;
  const bottom = padAfter(
    info.inHeight,
    info.outHeight,
    info.strideHeight,
    info.effectiveFilterHeight,
    pad.top,
    pad.bottom,
  );
  const right = padAfter(info.inWidth, info.outWidth, info.strideWidth, info.effectiveFilterWidth, pad.left, pad.right);
  if (bottom < 0 || right < 0 || pad.top < 0 || pad.left < 0) return undefined;
  return Int32Array.from([
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
    info.dilationHeight,
    info.dilationWidth,
    pad.top,
    pad.left,
    bottom,
    right,
    depthwise ? info.inChannels : 1,
  ]);
}

export function convInfo(
  xShape: readonly number[],
  filterShape: readonly number[],
  attrs: Pick<Conv2DAttrs, 'strides' | 'pad'> & {
    dataFormat?: 'NHWC' | 'NCHW';
    dimRoundingMode?: Conv2DAttrs['dimRoundingMode'] | undefined;
  },
  dilations: Conv2DAttrs['dilations'],
  depthwise: boolean,
): Info {
  const format = backend_util.convertConv2DDataFormat(attrs.dataFormat ?? 'NHWC');
  return backend_util.computeConv2DInfo(
    xShape as Shape4,
    filterShape as Shape4,
    attrs.strides,
    dilations,
    attrs.pad,
    attrs.dimRoundingMode,
    depthwise,
    format,
  );
}

/**
 * The geometry of a gradient kernel, checked against dy. tfjs-core's Conv2D
 * gradient drops `dimRoundingMode`, so with a numeric pad and 'ceil' or
 * 'round' the attributes describe another output size than the forward made
 * (tfjs' cpu kernel then computes a wrong gradient); the rounding that
 * reproduces dy's shape is the one the forward used.
 */
export function convGradInfo(
  xShape: readonly number[],
  filterShape: readonly number[],
  dyShape: readonly number[],
  attrs: GradAttrs,
  depthwise: boolean,
): Info | undefined {
  for (const dimRoundingMode of [attrs.dimRoundingMode, 'floor', 'ceil', 'round'] as const) {
    const info = convInfo(xShape, filterShape, { ...attrs, dimRoundingMode }, attrs.dilations ?? 1, depthwise);
    if (sameShape(info.outShape, dyShape)) return info;
    if (typeof attrs.pad !== 'number') return undefined; // only a numeric pad takes a rounding mode
  }
  return undefined;
}

interface ForwardInputs {
  x: TensorInfo;
  filter: TensorInfo;
  bias?: TensorInfo;
  preluActivationWeights?: TensorInfo;
}

/** Conv2D and depthwise, plain or fused with a bias and an activation. */
function forward(depthwise: boolean) {
  return ({ inputs, backend, attrs }: KernelArgs<ForwardInputs, Partial<FusedConv2DAttrs>>) => {
    const { x, filter, bias, preluActivationWeights } = inputs;
    const activation = ACTIVATIONS[attrs.activation ?? 'linear'];
    if (activation === undefined || preluActivationWeights) return undefined;
    const xValues = f32(backend, x);
    const filterValues = f32(backend, filter);
    const biasValues = bias ? f32(backend, bias) : null;
    if (!xValues || !filterValues || biasValues === undefined) return undefined;
    const info = convInfo(x.shape, filter.shape, attrs as GradAttrs, attrs.dilations ?? 1, depthwise);
    if (biasValues && biasValues.length !== info.outChannels) return undefined;
    const geometry = convGeometry(info, depthwise);
    if (!geometry) return undefined;
    const y = output(backend, sizeOf(info.outShape));
    const alpha = attrs.leakyreluAlpha ?? 0.2;
    const filterVersion = version(backend, filterValues);
    if (!loadAddon().conv2d(xValues, filterValues, biasValues, y, geometry, activation, alpha, filterVersion)) {
      return undefined;
    }
    return backend.makeTensorInfo(info.outShape, 'float32', y);
  };
}

export type GradAttrs = Pick<Conv2DAttrs, 'strides' | 'pad'> & {
  dataFormat?: 'NHWC' | 'NCHW';
  dilations?: Conv2DAttrs['dilations'];
  dimRoundingMode?: Conv2DAttrs['dimRoundingMode'] | undefined;
};
type InputGradAttrs = GradAttrs & Partial<Conv2DBackpropInputAttrs & DepthwiseConv2dNativeBackpropInputAttrs>;

function inputGrad(depthwise: boolean) {
  return ({ inputs, backend, attrs }: KernelArgs<{ dy: TensorInfo; filter: TensorInfo }, InputGradAttrs>) => {
    const { dy, filter } = inputs;
    const dyValues = f32(backend, dy);
    const filterValues = f32(backend, filter);
    if (!dyValues || !filterValues || !attrs.inputShape) return undefined;
    const info = convGradInfo(attrs.inputShape, filter.shape, dy.shape, attrs, depthwise);
    const geometry = info && convGeometry(info, depthwise);
    if (!geometry) return undefined;
    const dx = output(backend, sizeOf(info.inShape));
    if (!loadAddon().conv2dBackpropInput(dyValues, filterValues, dx, geometry, version(backend, filterValues))) {
      return undefined;
    }
    return backend.makeTensorInfo(info.inShape, 'float32', dx);
  };
}

type FilterGradAttrs = GradAttrs & Partial<Conv2DBackpropFilterAttrs & DepthwiseConv2dNativeBackpropFilterAttrs>;

function filterGrad(depthwise: boolean) {
  return ({ inputs, backend, attrs }: KernelArgs<{ x: TensorInfo; dy: TensorInfo }, FilterGradAttrs>) => {
    const { x, dy } = inputs;
    const xValues = f32(backend, x);
    const dyValues = f32(backend, dy);
    if (!xValues || !dyValues || !attrs.filterShape) return undefined;
    const info = convGradInfo(x.shape, attrs.filterShape, dy.shape, attrs, depthwise);
    const geometry = info && convGeometry(info, depthwise);
    if (!geometry) return undefined;
    const dw = output(backend, sizeOf(info.filterShape));
    if (!loadAddon().conv2dBackpropFilter(xValues, dyValues, dw, geometry)) return undefined;
    return backend.makeTensorInfo(info.filterShape, 'float32', dw);
  };
}

export const convKernels: NativeKernel[] = [
  { kernelName: Conv2D, run: forward(false) },
  { kernelName: FusedConv2D, run: forward(false) },
  { kernelName: Conv2DBackpropInput, run: inputGrad(false) },
  { kernelName: Conv2DBackpropFilter, run: filterGrad(false) },
  { kernelName: DepthwiseConv2dNative, run: forward(true) },
  { kernelName: FusedDepthwiseConv2D, run: forward(true) },
  { kernelName: DepthwiseConv2dNativeBackpropInput, run: inputGrad(true) },
  { kernelName: DepthwiseConv2dNativeBackpropFilter, run: filterGrad(true) },
];
