import {
  AvgPool,
  type AvgPoolAttrs,
  AvgPoolGrad,
  type AvgPoolGradAttrs,
  backend_util,
  MaxPool,
  type MaxPoolAttrs,
  MaxPoolGrad,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { loadAddon } from '../addon.js';
import { f32, type KernelArgs, type NativeKernel, output, sameShape, sizeOf, zeros } from './kernel.js';

// Pooling on NHWC data (native/pool.cc), with tfjs' tie, NaN and border rules.

type Info = backend_util.Conv2DInfo;
export type PoolAttrs = Pick<MaxPoolAttrs, 'filterSize' | 'strides' | 'pad'> & {
  dimRoundingMode?: MaxPoolAttrs['dimRoundingMode'] | undefined;
};

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

/** [N, inH, inW, C, outH, outW, filterH, filterW, strideH, strideW, padTop, padLeft] for the addon. */
export function poolGeometry(info: Info): Int32Array | undefined {
  if (info.dataFormat !== 'channelsLast' || info.dilationHeight !== 1 || info.dilationWidth !== 1) return undefined;
  return Int32Array.from([
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.effectiveFilterHeight,
    info.effectiveFilterWidth,
    info.strideHeight,
    info.strideWidth,
    info.padInfo.top,
    info.padInfo.left,
  ]);
}

function pool(kind: 'max' | 'avg') {
  return ({ inputs, backend, attrs }: KernelArgs<{ x: TensorInfo }, AvgPoolAttrs>) => {
    const x = f32(backend, inputs.x);
    if (!x || inputs.x.shape.length !== 4) return undefined;
    const info = poolInfo(inputs.x.shape, attrs);
    const geometry = poolGeometry(info);
    if (!geometry) return undefined;
    const y = output(backend, sizeOf(info.outShape));
    if (kind === 'max') loadAddon().maxPool(x, y, geometry);
    else loadAddon().avgPool(x, y, geometry);
    return backend.makeTensorInfo(info.outShape, 'float32', y);
  };
}

interface MaxPoolGradInputs {
  dy: TensorInfo;
  input: TensorInfo;
  output: TensorInfo;
}

function maxPoolGrad({ inputs, backend, attrs }: KernelArgs<MaxPoolGradInputs, PoolAttrs>) {
  const dy = f32(backend, inputs.dy);
  const x = f32(backend, inputs.input);
  const y = f32(backend, inputs.output);
  if (!dy || !x || !y || inputs.input.shape.length !== 4 || y.length !== dy.length) return undefined;
  const info = poolGradInfo(inputs.input.shape, inputs.dy.shape, attrs);
  const geometry = info && poolGeometry(info);
  if (!geometry) return undefined;
  const dx = output(backend, x.length); // the addon writes every element
  loadAddon().maxPoolGrad(x, y, dy, dx, geometry);
  return backend.makeTensorInfo(inputs.input.shape, 'float32', dx);
}

function avgPoolGrad({ inputs, backend, attrs }: KernelArgs<{ dy: TensorInfo; input: TensorInfo }, AvgPoolGradAttrs>) {
  const dy = f32(backend, inputs.dy);
  if (!dy || inputs.input.shape.length !== 4) return undefined;
  const info = poolGradInfo(inputs.input.shape, inputs.dy.shape, attrs);
  const geometry = info && poolGeometry(info);
  if (!geometry) return undefined;
  const dx = zeros(backend, sizeOf(inputs.input.shape));
  loadAddon().avgPoolGrad(dy, dx, geometry);
  return backend.makeTensorInfo(inputs.input.shape, 'float32', dx);
}

export const poolKernels: NativeKernel[] = [
  { kernelName: MaxPool, run: pool('max') },
  { kernelName: AvgPool, run: pool('avg') },
  { kernelName: MaxPoolGrad, run: maxPoolGrad },
  { kernelName: AvgPoolGrad, run: avgPoolGrad },
];
