import {
  All,
  type AllAttrs,
  Any,
  type AnyAttrs,
  ArgMax,
  type ArgMaxAttrs,
  ArgMin,
  type ArgMinAttrs,
  backend_util,
  type DataType,
  Max,
  type MaxAttrs,
  Mean,
  type MeanAttrs,
  Min,
  type MinAttrs,
  Prod,
  type ProdAttrs,
  Softmax,
  type SoftmaxAttrs,
  Sum,
  type SumAttrs,
  type TensorInfo,
  util,
} from '@tensorflow/tfjs-core';
import { type CudaBackend, dtypeCode } from '../backend.js';
import { type CudaKernel, type CudaKernelArgs, gpu, sizeOf } from './kernel.js';

// Reductions over any axes and the row softmax (native/cuda/reduce.cu): the
// addon merges the axes into runs and reduces them in passes (rows when the
// reduced run is innermost, coalesced columns otherwise), so no transpose is
// ever made. Attributes, shapes, dtypes and empty tensors follow tfjs' cpu
// kernels.

/** The functions of reduce_bindings.cc. */
export interface ReduceFunctions {
  /** out = op(x) over `axes` (distinct, in [0, rank)) of a tensor of `dims` (all > 0). */
  reduce(op: number, dtype: number, x: number, out: number, dims: Int32Array, axes: Int32Array): void;
  /** Softmax of each of `rows` contiguous rows of `length` floats. */
  softmax(out: number, logits: number, rows: number, length: number): void;
}

/** ReduceOp in reduce.h. */
const OP = { sum: 0, mean: 1, max: 2, min: 3, prod: 4, all: 5, any: 6, argMax: 7, argMin: 8 } as const;
type OpName = keyof typeof OP;

const numeric = (dtype: DataType) => dtype === 'float32' || dtype === 'int32' || dtype === 'bool';

/** What tfjs' cpu kernels give for outputs that reduce no element (they read past the row: undefined). */
function emptyValue(op: OpName, dtype: DataType): number {
  switch (op) {
    case 'prod':
      return 1;
    case 'max':
    case 'min':
      return dtype === 'float32' ? Number.NaN : 0;
    default:
      return 0;
  }
}

/**
 * op over `axis` of x, the result of dtype `outDtype`, shaped like tfjs' cpu
 * kernel (keepDims puts 1s for the reduced axes). Undefined (the cpu kernel
 * runs) for repeated axes and non-numeric data.
 */
function reduce(
  backend: CudaBackend,
  op: OpName,
  x: TensorInfo,
  axis: number | number[] | null | undefined,
  keepDims: boolean,
  outDtype: DataType,
): TensorInfo | undefined {
  if (!numeric(x.dtype)) return undefined;
  const axes = util.parseAxisParam(axis ?? x.shape.map((_, d) => d), x.shape);
  if (new Set(axes).size !== axes.length) return undefined;
  const [outShape, reduceShape] = backend_util.computeOutAndReduceShapes(x.shape, axes);
  const shape = keepDims ? backend_util.expandShapeToKeepDim(outShape, axes) : outShape;
  const out = backend.makeOutput(shape, outDtype);
  const count = sizeOf(outShape);
  if (count === 0) return out;
  if (sizeOf(reduceShape) === 0) {
    backend.addon.fill(backend.pointer(out), count, emptyValue(op, x.dtype), dtypeCode(outDtype));
    return out;
  }
  gpu<ReduceFunctions>(backend).reduce(
    OP[op],
    dtypeCode(x.dtype),
    backend.pointer(x),
    backend.pointer(out),
    Int32Array.from(x.shape),
    Int32Array.from(axes),
  );
  return out;
}

/** tfjs' upcastType(dtype, 'int32'): Sum and Prod of bool or int32 are int32. */
const sumType = (dtype: DataType): DataType => (dtype === 'float32' ? 'float32' : 'int32');

type X = { x: TensorInfo };

const sum: CudaKernel = {
  kernelName: Sum,
  run: ({ inputs: { x }, backend, attrs }: CudaKernelArgs<X, SumAttrs>) =>
    reduce(backend, 'sum', x, attrs.axis, attrs.keepDims, sumType(x.dtype)),
};

const mean: CudaKernel = {
  kernelName: Mean,
  run: ({ inputs: { x }, backend, attrs }: CudaKernelArgs<X, MeanAttrs>) =>
    reduce(backend, 'mean', x, attrs.axis, attrs.keepDims, 'float32'),
};

const max: CudaKernel = {
  kernelName: Max,
  run: ({ inputs: { x }, backend, attrs }: CudaKernelArgs<X, MaxAttrs>) =>
    reduce(backend, 'max', x, attrs.reductionIndices, attrs.keepDims, x.dtype),
};

const min: CudaKernel = {
  kernelName: Min,
  run: ({ inputs: { x }, backend, attrs }: CudaKernelArgs<X, MinAttrs>) =>
    reduce(backend, 'min', x, attrs.axis, attrs.keepDims, x.dtype),
};

const prod: CudaKernel = {
  kernelName: Prod,
  run: ({ inputs: { x }, backend, attrs }: CudaKernelArgs<X, ProdAttrs>) =>
    reduce(backend, 'prod', x, attrs.axis, attrs.keepDims, sumType(x.dtype)),
};

/** tfjs' cpu All/Any give x's dtype with && / || of the values: the GPU takes bool, the usual case. */
const all: CudaKernel = {
  kernelName: All,
  run: ({ inputs: { x }, backend, attrs }: CudaKernelArgs<X, AllAttrs>) =>
    x.dtype === 'bool' ? reduce(backend, 'all', x, attrs.axis, attrs.keepDims, 'bool') : undefined,
};

const any: CudaKernel = {
  kernelName: Any,
  run: ({ inputs: { x }, backend, attrs }: CudaKernelArgs<X, AnyAttrs>) =>
    x.dtype === 'bool' ? reduce(backend, 'any', x, attrs.axis, attrs.keepDims, 'bool') : undefined,
};

/** tfjs' cpu ArgMax/ArgMin reduce the first axis of the (normalized) axis list. */
function argReduce(backend: CudaBackend, op: 'argMax' | 'argMin', x: TensorInfo, axis: number | number[]) {
  const axes = util.parseAxisParam(axis, x.shape);
  return reduce(backend, op, x, axes.slice(0, 1), false, 'int32');
}

const argMax: CudaKernel = {
  kernelName: ArgMax,
  run: ({ inputs: { x }, backend, attrs }: CudaKernelArgs<X, ArgMaxAttrs>) =>
    argReduce(backend, 'argMax', x, attrs.axis),
};

const argMin: CudaKernel = {
  kernelName: ArgMin,
  run: ({ inputs: { x }, backend, attrs }: CudaKernelArgs<X, ArgMinAttrs>) =>
    argReduce(backend, 'argMin', x, attrs.axis),
};

/** Softmax over the last axis of float32 logits; tfjs' cpu kernel throws for any other dim. */
const softmax: CudaKernel = {
  kernelName: Softmax,
  run: ({ inputs: { logits }, backend, attrs }: CudaKernelArgs<{ logits: TensorInfo }, SoftmaxAttrs>) => {
    const rank = logits.shape.length;
    const dim = attrs.dim === -1 ? rank - 1 : attrs.dim;
    if (logits.dtype !== 'float32' || rank === 0 || dim !== rank - 1) return undefined;
    const out = backend.makeOutput(logits.shape, 'float32');
    const length = logits.shape[rank - 1] as number;
    const size = sizeOf(logits.shape);
    if (size === 0) return out;
    gpu<ReduceFunctions>(backend).softmax(backend.pointer(out), backend.pointer(logits), size / length, length);
    return out;
  },
};

/** Sum, Mean, Max, Min, Prod, All, Any, ArgMax, ArgMin and Softmax. */
export const reduceKernels: readonly CudaKernel[] = [sum, mean, max, min, prod, all, any, argMax, argMin, softmax];
