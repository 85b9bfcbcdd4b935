import { type PoolAttrs, poolGeometry, poolGradInfo, poolInfo } from '@convkit/backend/adapter';
import {
  AvgPool,
  type AvgPoolAttrs,
  AvgPoolGrad,
  type AvgPoolGradAttrs,
  MaxPool,
  MaxPoolGrad,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { loadAddon } from '../addon.js';
import { f32, type KernelArgs, type NativeKernel, output, sizeOf, zeros } from './kernel.js';

// Pooling on NHWC data (native/pool.cc), with tfjs' tie, NaN and border rules.

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
