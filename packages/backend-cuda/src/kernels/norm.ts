import { lrnSizes, sameShape } from '@convkit/backend/adapter';
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

/** What both LRN functions read after their operands: sizes (lrnSizes) and the formula's constants. */
type LrnParameters = [pixels: number, channels: number, radius: number, bias: number, alpha: number, beta: number];

/** The addon's normalization functions. */
interface NormFunctions {
  lrn(y: number, x: number, ...parameters: LrnParameters): void;
  lrnGrad(dx: number, x: number, y: number, dy: number, ...parameters: LrnParameters): void;
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

/** The LRN parameters of a float32 NHWC tensor, or undefined when the kernels decline it. */
function lrnParameters(t: TensorInfo, attrs: LRNAttrs): LrnParameters | undefined {
  const sizes = t.dtype === 'float32' ? lrnSizes(t.shape, attrs.depthRadius) : undefined;
  return sizes && [...sizes, attrs.bias, attrs.alpha, attrs.beta];
}

function lrn({ inputs: { x }, backend, attrs }: CudaKernelArgs<{ x: TensorInfo }, LRNAttrs>) {
  const parameters = lrnParameters(x, attrs);
  if (!parameters) return undefined;
  const y = backend.makeOutput(x.shape, 'float32');
  if (sizeOf(x.shape) > 0) gpu<NormFunctions>(backend).lrn(backend.pointer(y), backend.pointer(x), ...parameters);
  return y;
}

function lrnGrad({
  inputs: { x, y, dy },
  backend,
  attrs,
}: CudaKernelArgs<{ x: TensorInfo; y: TensorInfo; dy: TensorInfo }, LRNGradAttrs>) {
  const parameters = lrnParameters(dy, attrs);
  if (!parameters || !lrnParameters(x, attrs) || !lrnParameters(y, attrs)) return undefined;
  if (!sameShape(x.shape, dy.shape) || !sameShape(y.shape, dy.shape)) return undefined;
  const dx = backend.makeOutput(dy.shape, 'float32');
  if (sizeOf(dy.shape) === 0) return dx;
  const operands = [dx, x, y, dy].map((t) => backend.pointer(t)) as [number, number, number, number];
  gpu<NormFunctions>(backend).lrnGrad(...operands, ...parameters);
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
