import {
  poolGeometry as nativeGeometry,
  type PoolAttrs,
  poolGradInfo,
  poolInfo,
  sameShape,
} from '@convkit/backend/adapter';
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
import { type CudaKernel, type CudaKernelArgs, gpu, sizeOf, summedOutput, takesNhwc } from './kernel.js';

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

function pool(kind: 'max' | 'avg') {
  return ({ inputs: { x }, backend, attrs }: CudaKernelArgs<{ x: TensorInfo }, AvgPoolAttrs>) => {
    if (!takesNhwc(x)) return undefined;
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

/** A gradient's geometry, or undefined when the kernels decline the call. */
function gradGeometry(dy: TensorInfo, input: TensorInfo, attrs: PoolAttrs): Int32Array | undefined {
  if (!takesNhwc(dy) || !takesNhwc(input)) return undefined;
  const info = poolGradInfo(input.shape, dy.shape, attrs);
  return info && poolGeometry(info);
}

function maxPoolGrad({ inputs: { dy, input }, backend, attrs }: CudaKernelArgs<MaxPoolGradInputs, MaxPoolGradAttrs>) {
  const geometry = gradGeometry(dy, input, attrs);
  if (!geometry) return undefined;
  return summedOutput(backend, input.shape, [dy], (dx) =>
    gpu<PoolFunctions>(backend).maxPoolGrad(dx, backend.pointer(input), backend.pointer(dy), geometry),
  );
}

function avgPoolGrad({
  inputs: { dy, input },
  backend,
  attrs,
}: CudaKernelArgs<{ dy: TensorInfo; input: TensorInfo }, AvgPoolGradAttrs>) {
  const geometry = gradGeometry(dy, input, attrs);
  if (!geometry) return undefined;
  return summedOutput(backend, input.shape, [dy], (dx) =>
    gpu<PoolFunctions>(backend).avgPoolGrad(dx, backend.pointer(dy), geometry),
  );
}

/** MaxPool, AvgPool and their gradients on NHWC float32 tensors. */
export const poolKernels: readonly CudaKernel[] = [
  { kernelName: MaxPool, run: pool('max') },
  { kernelName: AvgPool, run: pool('avg') },
  { kernelName: MaxPoolGrad, run: maxPoolGrad },
  { kernelName: AvgPoolGrad, run: avgPoolGrad },
];
