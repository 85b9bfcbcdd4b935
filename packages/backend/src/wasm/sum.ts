// Sum on the wasm backend, for the reduction every bias gradient does: tfjs-core's
// fused convolution and matMul gradients and Add's broadcast gradient call
// sum(dy, [0, 1, 2]) on dy [64, 28, 28, 6] and the like. The stock kernel
// transposes the reduced axes innermost first (a copy of dy) and then sums rows
// of 50,176 floats; seen as a row-major [P, C] reduced over P, the same sum is a
// column sum that reads dy once, in place (wasm-kernels/column-sum.c, pairwise
// over blocks of rows, so its error does not grow with P). Every other Sum
// (other axes, all axes, int32, empty tensors, or no SIMD kernels) is the
// stock kernel's.
import { type KernelConfig, type KernelFunc, Sum, type SumAttrs, util } from '@tensorflow/tfjs-core';
import { asWasm, boundStockKernel, requireInput } from './heap.js';
import { heapOffset, simdKernels } from './simd/module.js';

/** Scratch bytes column_sum needs: its sum and 32 pairwise levels of 64 floats (COLUMN_SUM_SCRATCH). */
export const COLUMN_SUM_SCRATCH_BYTES = 64 * 33 * 4;

/** A Sum that is a column sum: x seen as row-major [rows, columns], the first `reduced` axes summed. */
export interface ColumnSplit {
  rows: number;
  columns: number;
  reduced: number;
}

/**
 * How summing `shape` over `axis` is a column sum: when the axes are exactly the leading ones
 * (in any order, negative or not, none twice), some but not all, and some column remains (no
 * rows is fine: the sums are 0).
 */
export function leadingAxesSplit(shape: readonly number[], axis: number | number[]): ColumnSplit | undefined {
  const axes = util.parseAxisParam(axis, [...shape]).sort((a, b) => a - b);
  if (axes.length === 0 || axes.length >= shape.length || axes.some((a, i) => a !== i)) return undefined;
  const rows = util.sizeFromShape(shape.slice(0, axes.length));
  const columns = util.sizeFromShape(shape.slice(axes.length));
  return columns > 0 ? { rows, columns, reduced: axes.length } : undefined;
}

const sum: KernelFunc = (args) => {
  const wasm = asWasm(args.backend);
  const x = requireInput(args.inputs, 'x', Sum);
  const { axis, keepDims } = args.attrs as unknown as SumAttrs;
  const simd = simdKernels(wasm);
  const split = x.dtype === 'float32' ? leadingAxesSplit(x.shape, axis) : undefined;
  if (!simd || !split) return boundStockKernel(wasm, Sum)(args);
  const kept = x.shape.slice(split.reduced);
  const out = wasm.makeOutput(keepDims ? [...new Array(split.reduced).fill(1), ...kept] : kept, 'float32');
  const scratch = simd.scratch(COLUMN_SUM_SCRATCH_BYTES);
  simd.fn('column_sum')(heapOffset(wasm, x), heapOffset(wasm, out), split.rows, split.columns, scratch);
  return out;
};

/** Sum on the wasm backend: a column sum for leading axes of float32, the stock kernel otherwise. */
export const sumConfig: KernelConfig = {
  kernelName: Sum,
  backendName: 'wasm',
  kernelFunc: sum,
};
