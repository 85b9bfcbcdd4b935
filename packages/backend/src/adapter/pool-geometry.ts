import { backend_util, type MaxPoolAttrs } from '@tensorflow/tfjs-core';
import { sameShape, windowSizes } from './kernel-geometry.js';

// Pooling geometry shared by the native adapters' pooling kernels.

type Info = backend_util.Conv2DInfo;

/** A pooling's attributes as the forward and gradient kernels receive them. */
export type PoolAttrs = Pick<MaxPoolAttrs, 'filterSize' | 'strides' | 'pad'> & {
  dimRoundingMode?: MaxPoolAttrs['dimRoundingMode'] | undefined;
};

/** tfjs' description of a pooling (computePool2DInfo) from the input's shape and the attributes. */
export function poolInfo(shape: readonly number[], attrs: PoolAttrs): Info {
  const { filterSize, strides, pad, dimRoundingMode } = attrs;
  return backend_util.computePool2DInfo(
    shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
}

/**
 * The geometry that produced `dy`. tfjs-core's pooling gradients drop
 * `dimRoundingMode` when they call the gradient kernels, so with a numeric
 * pad and 'ceil' the attributes describe a smaller output than the forward
 * made; the rounding that reproduces dy's shape is the one the forward used.
 */
export function poolGradInfo(
  inputShape: readonly number[],
  dyShape: readonly number[],
  attrs: PoolAttrs,
): Info | undefined {
  for (const dimRoundingMode of [attrs.dimRoundingMode, 'floor', 'round', 'ceil'] as const) {
    const info = poolInfo(inputShape, { ...attrs, dimRoundingMode });
    if (sameShape(info.outShape, dyShape)) return info;
  }
  return undefined;
}

/**
 * The addons' 12-integer pooling geometry — batch, inHeight, inWidth,
 * channels, outHeight, outWidth, filterHeight, filterWidth, strideHeight,
 * strideWidth, padTop, padLeft — or undefined for layouts they do not take
 * (NCHW, dilation).
 */
export function poolGeometry(info: Info): Int32Array | undefined {
  if (info.dataFormat !== 'channelsLast' || info.dilationHeight !== 1 || info.dilationWidth !== 1) return undefined;
  return Int32Array.from([
    ...windowSizes(info),
    info.effectiveFilterHeight,
    info.effectiveFilterWidth,
    info.strideHeight,
    info.strideWidth,
    info.padInfo.top,
    info.padInfo.left,
  ]);
}
