import { lrnSizes } from '@convkit/backend/adapter';
import {
  FusedBatchNorm,
  type FusedBatchNormAttrs,
  LRN,
  type LRNAttrs,
  LRNGrad,
  type LRNGradAttrs,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { loadAddon } from '../addon.js';
import { f32, type KernelArgs, type NativeKernel, output } from './kernel.js';

/** [pixels, channels, radius] for the addon's LRN. */
function lrnShape(shape: readonly number[], radius: number): Int32Array | undefined {
  const sizes = lrnSizes(shape, radius);
  return sizes && Int32Array.from(sizes);
}

function lrn({ inputs, backend, attrs }: KernelArgs<{ x: TensorInfo }, LRNAttrs>) {
  const x = f32(backend, inputs.x);
  const shape = lrnShape(inputs.x.shape, attrs.depthRadius);
  if (!x || !shape) return undefined;
  const y = output(backend, x.length);
  loadAddon().lrn(x, y, shape, attrs.bias, attrs.alpha, attrs.beta);
  return backend.makeTensorInfo(inputs.x.shape, 'float32', y);
}

function lrnGrad({
  inputs,
  backend,
  attrs,
}: KernelArgs<{ x: TensorInfo; y: TensorInfo; dy: TensorInfo }, LRNGradAttrs>) {
  const x = f32(backend, inputs.x);
  const y = f32(backend, inputs.y);
  const dy = f32(backend, inputs.dy);
  const shape = lrnShape(inputs.dy.shape, attrs.depthRadius);
  if (!x || !y || !dy || !shape) return undefined;
  const dx = output(backend, dy.length);
  loadAddon().lrnGrad(x, y, dy, dx, shape, attrs.bias, attrs.alpha, attrs.beta);
  return backend.makeTensorInfo(inputs.dy.shape, 'float32', dx);
}

interface BatchNormInputs {
  x: TensorInfo;
  mean: TensorInfo;
  variance: TensorInfo;
  offset?: TensorInfo;
  scale?: TensorInfo;
}

/**
 * Batch norm's forward. Its gradient is made of element-wise ops and
 * reductions in tfjs-core (no kernel of its own), which run natively or on
 * the cpu kernels.
 */
function batchNorm({ inputs, backend, attrs }: KernelArgs<BatchNormInputs, FusedBatchNormAttrs>) {
  const x = f32(backend, inputs.x);
  const mean = f32(backend, inputs.mean);
  const variance = f32(backend, inputs.variance);
  const offset = inputs.offset ? f32(backend, inputs.offset) : null;
  const scale = inputs.scale ? f32(backend, inputs.scale) : null;
  if (!x || !mean || !variance || offset === undefined || scale === undefined) return undefined;
  const y = output(backend, x.length);
  loadAddon().batchNorm(x, mean, variance, offset, scale, y, attrs.varianceEpsilon ?? 0.001);
  return backend.makeTensorInfo(inputs.x.shape, 'float32', y);
}

export const normKernels: NativeKernel[] = [
  { kernelName: LRN, run: lrn },
  { kernelName: LRNGrad, run: lrnGrad },
  { kernelName: FusedBatchNorm, run: batchNorm },
];
