import { backend_util, Mean, type MeanAttrs, Sum, type SumAttrs, type TensorInfo, util } from '@tensorflow/tfjs-core';
import { loadAddon } from '../addon.js';
import { f32, type KernelArgs, type NativeKernel, output, sizeOf } from './kernel.js';

/**
 * The axes as runs for the addon: neighbouring axes of the same kind
 * (reduced or kept) merged, size-1 axes dropped, as [size, reduced] pairs.
 */
export function axisRuns(shape: readonly number[], axes: readonly number[]): Int32Array {
  const runs: [number, number][] = [];
  shape.forEach((size, axis) => {
    if (size === 1) return;
    const reduced = axes.includes(axis) ? 1 : 0;
    const last = runs[runs.length - 1];
    if (last && last[1] === reduced) last[0] *= size;
    else runs.push([size, reduced]);
  });
  return Int32Array.from(runs.flat());
}

/** Sum (or, with `mean`, the mean) of float32 data over any axes, in one pass in memory order. */
function reduce({ inputs, backend, attrs }: KernelArgs<{ x: TensorInfo }, SumAttrs>, mean: boolean) {
  const x = f32(backend, inputs.x);
  if (!x || x.length === 0) return undefined;
  const axes = util.parseAxisParam(attrs.axis, inputs.x.shape);
  const [outShape, reduceShape] = backend_util.computeOutAndReduceShapes(inputs.x.shape, axes);
  const shape = attrs.keepDims ? backend_util.expandShapeToKeepDim(outShape, axes) : outShape;
  const out = output(backend, sizeOf(outShape));
  loadAddon().sum(x, out, axisRuns(inputs.x.shape, axes));
  if (mean) {
    // Batch norm's tf.moments reduces over N·H·W: on the cpu fallback that Mean was most of a training step.
    const count = sizeOf(reduceShape);
    for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) / count;
  }
  return backend.makeTensorInfo(shape, 'float32', out);
}

export const reduceKernels: NativeKernel[] = [
  { kernelName: Sum, run: (args: KernelArgs<{ x: TensorInfo }, SumAttrs>) => reduce(args, false) },
  { kernelName: Mean, run: (args: KernelArgs<{ x: TensorInfo }, MeanAttrs>) => reduce(args, true) },
];
