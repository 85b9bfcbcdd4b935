import { poolGeometry as nativeGeometry, poolGradInfo, poolInfo, sameShape } from '@convkit/backend/adapter';
import {
  AvgPool,
  type AvgPoolAttrs,
  AvgPoolGrad,
  type AvgPoolGradAttrs,
  type backend_util,
  MaxPool,
  MaxPoolGrad,
  type MaxPoolGradAttrs,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { CudaBackend } from '../backend.js';
import { type CudaKernel, type CudaKernelArgs, gpu, sizeOf } from './kernel.js';

// 2-D max and average pooling of NHWC float32 tensors and their gradients
// (native/cuda/pool.cu), with tfjs' cpu rules for borders, NaN and ties.

/** The addon's pooling functions; `geometry` is {@link poolGeometry}'s 12 integers. */
interface PoolFunctions {
  maxPool(y: number, x: number, geometry: Int32Array): void;
  avgPool(y: number, x: number, geometry: Int32Array): void;
  maxPoolGrad(dx: number, x: number, dy: number, geometry: Int32Array): void;
  avgPoolGrad(dx: number, dy: number, geometry: Int32Array): void;
}

type Info = backend_util.Conv2DInfo;

/** The oneDNN backend's geometry (the same 12 integers), without negative pads (the kernels index from them). */
const poolGeometry = (info: Info) => (info.padInfo.top < 0 || info.padInfo.left < 0 ? undefined : nativeGeometry(info));

const takes = (t: TensorInfo) => t.dtype === 'float32' && t.shape.length === 4;

/** A float32 output of zeros (a gradient with no windows). */
function zeros(backend: CudaBackend, shape: number[]): TensorInfo {
  const out = backend.makeOutput(shape, 'float32');
  if (sizeOf(shape) > 0) backend.addon.fill(backend.pointer(out), sizeOf(shape), 0, 0);
  return out;
}

function pool(kind: 'max' | 'avg') {
  return ({ inputs: { x }, backend, attrs }: CudaKernelArgs<{ x: TensorInfo }, AvgPoolAttrs>) => {
    if (!takes(x)) return undefined;
    const info = poolInfo(x.shape, attrs);
    if (info.filterHeight === 1 && info.filterWidth === 1 && sameShape(info.inShape, info.outShape)) {
      // tfjs' cpu kernel returns x itself here (a NaN stays NaN): share its data.
      backend.incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    }
    const geometry = poolGeometry(info);
    if (!geometry) return undefined;
    const y = backend.makeOutput(info.outShape, 'float32');
    if (sizeOf(info.outShape) === 0) return y;
    const addon = gpu<PoolFunctions>(backend);
    if (kind === 'max') addon.maxPool(backend.pointer(y), backend.pointer(x), geometry);
    else addon.avgPool(backend.pointer(y), backend.pointer(x), geometry);
    return y;
  };
}

interface MaxPoolGradInputs {
  dy: TensorInfo;
  input: TensorInfo;
  output: TensorInfo;
}

function maxPoolGrad({ inputs: { dy, input }, backend, attrs }: CudaKernelArgs<MaxPoolGradInputs, MaxPoolGradAttrs>) {
  if (!takes(dy) || !takes(input)) return undefined;
  const info = poolGradInfo(input.shape, dy.shape, attrs);
  const geometry = info && poolGeometry(info);
  if (!geometry) return undefined;
  if (sizeOf(input.shape) === 0 || sizeOf(dy.shape) === 0) return zeros(backend, input.shape);
  const dx = backend.makeOutput(input.shape, 'float32');
  gpu<PoolFunctions>(backend).maxPoolGrad(backend.pointer(dx), backend.pointer(input), backend.pointer(dy), geometry);
  return dx;
}

function avgPoolGrad({
  inputs: { dy, input },
  backend,
  attrs,
}: CudaKernelArgs<{ dy: TensorInfo; input: TensorInfo }, AvgPoolGradAttrs>) {
  if (!takes(dy) || !takes(input)) return undefined;
  const info = poolGradInfo(input.shape, dy.shape, attrs);
  const geometry = info && poolGeometry(info);
  if (!geometry) return undefined;
  if (sizeOf(input.shape) === 0 || sizeOf(dy.shape) === 0) return zeros(backend, input.shape);
  const dx = backend.makeOutput(input.shape, 'float32');
  gpu<PoolFunctions>(backend).avgPoolGrad(backend.pointer(dx), backend.pointer(dy), geometry);
  return dx;
}

/** MaxPool, AvgPool and their gradients on NHWC float32 tensors. */
export const poolKernels: readonly CudaKernel[] = [
  { kernelName: MaxPool, run: pool('max') },
  { kernelName: AvgPool, run: pool('avg') },
  { kernelName: MaxPoolGrad, run: maxPoolGrad },
  { kernelName: AvgPoolGrad, run: avgPoolGrad },
];
