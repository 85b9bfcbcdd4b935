import {
  FusedBatchNorm,
  type FusedBatchNormAttrs,
  LRN,
  type LRNAttrs,
  LRNGrad,
  type LRNGradAttrs,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { type CudaKernel, type CudaKernelArgs, gpu, sizeOf } from './kernel.js';

// Local response normalization across channels (and its gradient) and batch
// normalization with given statistics (native/cuda/norm.cu), as tfjs' cpu
// kernels compute them.

/** The addon's normalization functions. */
interface NormFunctions {
  lrn(
    y: number,
    x: number,
    pixels: number,
    channels: number,
    radius: number,
    bias: number,
    alpha: number,
    beta: number,
  ): void;
  lrnGrad(
    dx: number,
    x: number,
    y: number,
    dy: number,
    pixels: number,
    channels: number,
    radius: number,
    bias: number,
    alpha: number,
    beta: number,
  ): void;
  /** Each operand is read cyclically: element i of x uses operand[i % length]; offset and scale may be null. */
  batchNorm(
    y: number,
    x: number,
    count: number,
    mean: number,
    meanLength: number,
    variance: number,
    varianceLength: number,
    offset: number | null,
    offsetLength: number,
    scale: number | null,
    scaleLength: number,
    varianceEpsilon: number,
  ): void;
}

const sameShape = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((dim, i) => dim === b[i]);

/** NHWC float32 of rank 4 and a whole radius >= 0 (tfjs' LRN reads channels as shape[3]). */
const lrnTakes = (t: TensorInfo, radius: number) =>
  t.dtype === 'float32' && t.shape.length === 4 && Number.isInteger(radius) && radius >= 0;

function lrn({ inputs: { x }, backend, attrs }: CudaKernelArgs<{ x: TensorInfo }, LRNAttrs>) {
  const { depthRadius, bias, alpha, beta } = attrs;
  if (!lrnTakes(x, depthRadius)) return undefined;
  const y = backend.makeOutput(x.shape, 'float32');
  const channels = x.shape[3] as number;
  if (sizeOf(x.shape) === 0) return y;
  gpu<NormFunctions>(backend).lrn(
    backend.pointer(y),
    backend.pointer(x),
    sizeOf(x.shape) / channels,
    channels,
    depthRadius,
    bias,
    alpha,
    beta,
  );
  return y;
}

function lrnGrad({
  inputs: { x, y, dy },
  backend,
  attrs,
}: CudaKernelArgs<{ x: TensorInfo; y: TensorInfo; dy: TensorInfo }, LRNGradAttrs>) {
  const { depthRadius, bias, alpha, beta } = attrs;
  if (!lrnTakes(dy, depthRadius) || !lrnTakes(x, depthRadius) || !lrnTakes(y, depthRadius)) return undefined;
  if (!sameShape(x.shape, dy.shape) || !sameShape(y.shape, dy.shape)) return undefined;
  const dx = backend.makeOutput(dy.shape, 'float32');
  const channels = dy.shape[3] as number;
  if (sizeOf(dy.shape) === 0) return dx;
  gpu<NormFunctions>(backend).lrnGrad(
    backend.pointer(dx),
    backend.pointer(x),
    backend.pointer(y),
    backend.pointer(dy),
    sizeOf(dy.shape) / channels,
    channels,
    depthRadius,
    bias,
    alpha,
    beta,
  );
  return dx;
}

interface BatchNormInputs {
  x: TensorInfo;
  mean: TensorInfo;
  variance: TensorInfo;
  offset?: TensorInfo | null;
  scale?: TensorInfo | null;
}

/**
 * y = offset + (x − mean) · scale / sqrt(variance + ε). tfjs' cpu kernel
 * reads each of mean, variance, offset and scale cyclically over x's flat
 * index, which broadcasts them along the last axis when their length is the
 * channel count; the kernel does the same for any length.
 */
function batchNorm({ inputs, backend, attrs }: CudaKernelArgs<BatchNormInputs, FusedBatchNormAttrs>) {
  const { x, mean, variance } = inputs;
  const offset = inputs.offset ?? null;
  const scale = inputs.scale ?? null;
  const operands = [x, mean, variance, offset, scale].filter((t): t is TensorInfo => t !== null);
  if (!operands.every((t) => t.dtype === 'float32')) return undefined;
  if (operands.slice(1).some((t) => sizeOf(t.shape) === 0)) return undefined;
  const y = backend.makeOutput(x.shape, 'float32');
  const count = sizeOf(x.shape);
  if (count === 0) return y;
  gpu<NormFunctions>(backend).batchNorm(
    backend.pointer(y),
    backend.pointer(x),
    count,
    backend.pointer(mean),
    sizeOf(mean.shape),
    backend.pointer(variance),
    sizeOf(variance.shape),
    offset && backend.pointer(offset),
    offset ? sizeOf(offset.shape) : 1,
    scale && backend.pointer(scale),
    scale ? sizeOf(scale.shape) : 1,
    attrs.varianceEpsilon ?? 0.001,
  );
  return y;
}

/** LRN, LRNGrad and FusedBatchNorm on float32 tensors. */
export const normKernels: readonly CudaKernel[] = [
  { kernelName: LRN, run: lrn },
  { kernelName: LRNGrad, run: lrnGrad },
  { kernelName: FusedBatchNorm, run: batchNorm },
];
