import {
  backend_util,
  type KernelConfig,
  type KernelFunc,
  Sum,
  type SumAttrs,
  type TensorInfo,
  util,
} from '@tensorflow/tfjs-core';
import { BackendError } from '../errors.js';
import type { KernelArgs } from './cpu-data.js';

// Sum over any axes in one pass over the input, in memory order. The stock
// kernel first transposes the reduced axes innermost, which for a bias
// gradient (sum of an NHWC activation over N, H and W) is a full strided
// copy of the activation. Here neighbouring axes of the same kind (reduced
// or kept) are merged, and the innermost merged axis is a tight loop: a dot
// with 1 when it is reduced, a vector add into the output when it is kept.
// Partial sums are float64, stored once.

type Values = Float32Array | Int32Array | Uint8Array;

interface AxisRun {
  size: number;
  reduced: boolean;
  inStride: number;
  outStride: number;
}

/** Merges adjacent axes of the same kind, dropping length-1 axes, and gives each run its strides. */
function axisRuns(shape: readonly number[], axes: readonly number[]): AxisRun[] {
  const runs: AxisRun[] = [];
  shape.forEach((size, axis) => {
    if (size === 1) return;
    const reduced = axes.includes(axis);
    const last = runs[runs.length - 1];
    if (last && last.reduced === reduced) last.size *= size;
    else runs.push({ size, reduced, inStride: 1, outStride: 1 });
  });
  let inStride = 1;
  let outStride = 1;
  for (let i = runs.length - 1; i >= 0; i--) {
    const run = runs[i] as AxisRun;
    run.inStride = inStride;
    run.outStride = run.reduced ? 0 : outStride;
    inStride *= run.size;
    if (!run.reduced) outStride *= run.size;
  }
  return runs;
}

function accumulate(x: Values, runs: AxisRun[], level: number, inOffset: number, outOffset: number, acc: Float64Array) {
  const run = runs[level] as AxisRun;
  const { size } = run;
  if (level === runs.length - 1) {
    if (run.reduced) {
      let total = 0;
      for (let i = inOffset, end = inOffset + size; i < end; i++) total += x[i] as number;
      acc[outOffset] = (acc[outOffset] as number) + total;
    } else {
      for (let i = 0; i < size; i++) acc[outOffset + i] = (acc[outOffset + i] as number) + (x[inOffset + i] as number);
    }
    return;
  }
  for (let i = 0; i < size; i++) {
    accumulate(x, runs, level + 1, inOffset + i * run.inStride, outOffset + i * run.outStride, acc);
  }
}

/** Sums `x` (of `shape`) over `axes`; the result is in row-major order of the kept axes. */
export function sumOverAxes(x: Values, shape: readonly number[], axes: readonly number[]): Float64Array {
  const outSize = shape.reduce((size, dim, axis) => (axes.includes(axis) ? size : size * dim), 1);
  const acc = new Float64Array(outSize);
  if (x.length === 0) return acc;
  const runs = axisRuns(shape, axes);
  if (runs.length === 0) acc[0] = x[0] as number;
  else accumulate(x, runs, 0, 0, 0, acc);
  return acc;
}

function sumKernel({ inputs, backend, attrs }: KernelArgs<{ x: TensorInfo }, SumAttrs>) {
  const { x } = inputs;
  const values = backend.data.get(x.dataId).values;
  if (!(values instanceof Float32Array || values instanceof Int32Array || values instanceof Uint8Array)) {
    throw new BackendError('cpu', `sum takes real numeric tensors, received dtype ${x.dtype}`);
  }
  if (x.dtype === 'complex64' || x.dtype === 'string') {
    throw new BackendError('cpu', `sum takes real numeric tensors, received dtype ${x.dtype}`);
  }
  const axes = util.parseAxisParam(attrs.axis, x.shape);
  const sums = sumOverAxes(values, x.shape, axes);
  const kept = x.shape.filter((_, axis) => !axes.includes(axis));
  const shape = attrs.keepDims ? backend_util.expandShapeToKeepDim(kept, axes) : kept;
  // As in tfjs: float32 sums stay float32, int32 and bool sums are int32.
  if (x.dtype === 'float32') return backend.makeTensorInfo(shape, 'float32', Float32Array.from(sums));
  return backend.makeTensorInfo(shape, 'int32', Int32Array.from(sums));
}

/** Sum over any axes in one pass, without the stock kernel's transpose. */
export const sumConfig: KernelConfig = {
  kernelName: Sum,
  backendName: 'cpu',
  kernelFunc: sumKernel as unknown as KernelFunc,
};
