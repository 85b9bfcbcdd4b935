import { backend_util, type Conv2DAttrs } from '@tensorflow/tfjs-core';

// Kernel geometry shared by the native adapters (@convkit/backend-native's
// oneDNN kernels, @convkit/backend-cuda's CUDA kernels): the integers their
// addons read, computed once here from tfjs' own descriptions.

type Shape4 = [number, number, number, number];
type ConvInfo = backend_util.Conv2DInfo;

/** Whether two shapes are equal. */
export const sameShape = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((dim, i) => dim === b[i]);

/** The number of elements of a shape. */
export function sizeOf(shape: readonly number[]): number {
  let size = 1;
  for (const dim of shape) size *= dim;
  return size;
}

/** tfjs' fused activations as both addons number them (native/elementwise.h in each). */
export const ACTIVATIONS: Readonly<Record<string, number>> = {
  linear: 0,
  relu: 1,
  relu6: 2,
  elu: 3,
  sigmoid: 4,
  leakyrelu: 5,
};

/**
 * [pixels, channels, radius] of a local response normalization across the
 * channels of an NHWC tensor, as both addons read it; undefined unless the
 * tensor has rank 4 and the radius is a whole number >= 0.
 */
export function lrnSizes(shape: readonly number[], radius: number): [number, number, number] | undefined {
  if (shape.length !== 4 || !Number.isInteger(radius) || radius < 0) return undefined;
  const [n, h, w, c] = shape as [number, number, number, number];
  return [n * h * w, c, radius];
}

/** The sizes of a (batched) matrix product: C[m, n] = A[m, k] · B[k, n] for each of the outer (batch) indices. */
export interface MatMulShape {
  m: number;
  k: number;
  n: number;
  outerA: number[];
  outerB: number[];
  batchA: number;
  batchB: number;
}

/** The product's sizes from the operands' shapes (rank ≥ 2) and transposes; undefined when the inner sizes differ. */
export function matMulShape(
  aShape: readonly number[],
  bShape: readonly number[],
  transposeA: boolean,
  transposeB: boolean,
): MatMulShape | undefined {
  const [a0, a1] = aShape.slice(-2) as [number, number];
  const [b0, b1] = bShape.slice(-2) as [number, number];
  const [m, k] = transposeA ? [a1, a0] : [a0, a1];
  const [kB, n] = transposeB ? [b1, b0] : [b0, b1];
  if (k !== kB) return undefined;
  const outerA = aShape.slice(0, -2);
  const outerB = bShape.slice(0, -2);
  return { m, k, n, outerA, outerB, batchA: sizeOf(outerA), batchB: sizeOf(outerB) };
}

/**
 * The padding after the data that makes the addons' floor formula
 * (convkit/geometry.h) give tfjs' output size: tfjs' own when it does, else
 * the exact amount the last window needs ('ceil' rounding, or a numeric pad
 * whose last row no window reaches). The floor formula gives `output` exactly
 * when `after` covers what the last window needs by less than one stride, so
 * no output-size formula is needed here (it lives in @convkit/shape).
 */
function padAfter(input: number, output: number, stride: number, extent: number, before: number, after: number) {
  const needed = (output - 1) * stride + extent - input - before;
  return after >= needed && after - needed < stride ? after : needed;
}

/**
 * The sizes every window geometry of the addons starts with: batch,
 * inHeight, inWidth, inChannels, outHeight, outWidth.
 */
export function windowSizes(info: ConvInfo): number[] {
  return [info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth];
}

/**
 * The addons' 18-integer convolution geometry — batch, inHeight, inWidth,
 * inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth,
 * strideHeight, strideWidth, dilationHeight, dilationWidth, padTop, padLeft,
 * padBottom, padRight, groups — or undefined for layouts they do not take (NCHW).
 */
export function convGeometry(info: ConvInfo, depthwise: boolean): Int32Array | undefined {
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
    ...windowSizes(info),
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

/** A convolution's attributes as the forward and gradient kernels receive them. */
export type GradAttrs = Pick<Conv2DAttrs, 'strides' | 'pad'> & {
  dataFormat?: 'NHWC' | 'NCHW';
  dilations?: Conv2DAttrs['dilations'];
  dimRoundingMode?: Conv2DAttrs['dimRoundingMode'] | undefined;
};

/** tfjs' description of a convolution (computeConv2DInfo) from shapes and attributes. */
export function convInfo(
  xShape: readonly number[],
  filterShape: readonly number[],
  attrs: Omit<GradAttrs, 'dilations'>,
  dilations: Conv2DAttrs['dilations'],
  depthwise: boolean,
): ConvInfo {
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
): ConvInfo | undefined {
  for (const dimRoundingMode of [attrs.dimRoundingMode, 'floor', 'ceil', 'round'] as const) {
    const info = convInfo(xShape, filterShape, { ...attrs, dimRoundingMode }, attrs.dilations ?? 1, depthwise);
    if (sameShape(info.outShape, dyShape)) return info;
    if (typeof attrs.pad !== 'number') return undefined; // only a numeric pad takes a rounding mode
  }
  return undefined;
}
