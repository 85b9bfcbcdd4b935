import {
  Add,
  broadcast_util,
  type KernelConfig,
  type KernelFunc,
  Multiply,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { BackendError } from '../errors.js';
import type { KernelArgs } from './cpu-data.js';

// Add and Multiply with broadcasting, as one loop per output row. The stock
// kernels call a closure per element and, whenever shapes differ, rebuild
// both input indices from scratch per element; an optimizer step on
// AlexNet's 37.7 M-weight fc6 (`m·v + g`, `w − lr·v`) then takes seconds.
// Here the innermost output axis runs as a tight loop in which each input
// either advances or stays put (broadcast), and the outer axes move by
// precomputed strides.

type Values = Float32Array | Int32Array | Uint8Array;
type Operation = 'add' | 'multiply';

/** Row-major strides of `shape` aligned to the output rank, 0 on broadcast axes. */
function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const strides = new Array<number>(outShape.length).fill(0);
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const axis = outShape.length - shape.length + i;
    const dim = shape[i] as number;
    if (dim !== 1) strides[axis] = stride;
    stride *= dim;
  }
  return strides;
}

/** One output row: `out[o+i] = a[ia + i·sa] ∘ b[ib + i·sb]`, the operation chosen outside the loop. */
function row(
  op: Operation,
  a: Values,
  ia: number,
  sa: number,
  b: Values,
  ib: number,
  sb: number,
  out: Values,
  o: number,
  n: number,
) {
  if (op === 'add') {
    if (sa === 1 && sb === 1) for (let i = 0; i < n; i++) out[o + i] = (a[ia + i] as number) + (b[ib + i] as number);
    else if (sa === 1) {
      const bv = b[ib] as number;
      for (let i = 0; i < n; i++) out[o + i] = (a[ia + i] as number) + bv;
    } else for (let i = 0; i < n; i++) out[o + i] = (a[ia + i * sa] as number) + (b[ib + i * sb] as number);
  } else if (sa === 1 && sb === 1)
    for (let i = 0; i < n; i++) out[o + i] = (a[ia + i] as number) * (b[ib + i] as number);
  else if (sb === 0 && sa === 1) {
    const bv = b[ib] as number;
    for (let i = 0; i < n; i++) out[o + i] = (a[ia + i] as number) * bv;
  } else for (let i = 0; i < n; i++) out[o + i] = (a[ia + i * sa] as number) * (b[ib + i * sb] as number);
}

/** `a ∘ b` with numpy broadcasting into `out` (of `outShape`). */
export function broadcastBinary(
  op: Operation,
  a: Values,
  aShape: readonly number[],
  b: Values,
  bShape: readonly number[],
  outShape: readonly number[],
  out: Values,
): void {
  if (out.length === 0) return;
  const rank = outShape.length;
  if (rank === 0 || (a.length === out.length && b.length === out.length)) {
    row(op, a, 0, 1, b, 0, 1, out, 0, out.length);
    return;
  }
  // A scalar operand broadcasts over everything: one row with a fixed index.
  if (a.length === 1 || b.length === 1) {
    const swap = a.length === 1 && b.length !== 1;
    if (swap) row(op, b, 0, 1, a, 0, 0, out, 0, out.length);
    else row(op, a, 0, 1, b, 0, 0, out, 0, out.length);
    return;
  }
  const aStrides = broadcastStrides(aShape, outShape);
  const bStrides = broadcastStrides(bShape, outShape);
  const inner = outShape[rank - 1] as number;
  const sa = aStrides[rank - 1] as number;
  const sb = bStrides[rank - 1] as number;
  const index = new Array<number>(rank).fill(0);
  let ia = 0;
  let ib = 0;
  for (let o = 0; o < out.length; o += inner) {
    // Multiplication commutes, so a broadcast left operand is swapped right to hit the fast loop.
    if (op === 'multiply' && sa === 0 && sb === 1) row(op, b, ib, sb, a, ia, sa, out, o, inner);
    else row(op, a, ia, sa, b, ib, sb, out, o, inner);
    // Odometer over the outer axes.
    for (let axis = rank - 2; axis >= 0; axis--) {
      const next = (index[axis] as number) + 1;
      if (next < (outShape[axis] as number)) {
        index[axis] = next;
        ia += aStrides[axis] as number;
        ib += bStrides[axis] as number;
        break;
      }
      index[axis] = 0;
      ia -= (next - 1) * (aStrides[axis] as number);
      ib -= (next - 1) * (bStrides[axis] as number);
    }
  }
}

function outputArray(dtype: string, size: number): Values {
  if (dtype === 'float32') return new Float32Array(size);
  if (dtype === 'int32') return new Int32Array(size);
  return new Uint8Array(size);
}

function binaryKernel(op: Operation, name: string) {
  return ({ inputs, backend }: KernelArgs<{ a: TensorInfo; b: TensorInfo }, unknown>) => {
    const { a, b } = inputs;
    if (a.dtype === 'complex64' || b.dtype === 'complex64' || a.dtype === 'string' || b.dtype === 'string') {
      throw new BackendError(
        'cpu',
        `convkit's ${name} kernel takes real tensors, received ${a.dtype} and ${b.dtype}: start the backend with initBackend('cpu', { kernels: 'stock' }) for complex numbers`,
      );
    }
    const aValues = backend.data.get(a.dataId).values as Values;
    const bValues = backend.data.get(b.dataId).values as Values;
    const outShape = broadcast_util.assertAndGetBroadcastShape(a.shape, b.shape);
    // As in tfjs, the result takes a's dtype (the ops make both dtypes match first).
    const out = outputArray(
      a.dtype,
      outShape.reduce((size, dim) => size * dim, 1),
    );
    broadcastBinary(op, aValues, a.shape, bValues, b.shape, outShape, out);
    return backend.makeTensorInfo(outShape, a.dtype, out);
  };
}

/** Add with broadcasting, a tight loop per output row. */
export const addConfig: KernelConfig = {
  kernelName: Add,
  backendName: 'cpu',
  kernelFunc: binaryKernel('add', Add) as unknown as KernelFunc,
};

/** Multiply with broadcasting, a tight loop per output row. */
export const multiplyConfig: KernelConfig = {
  kernelName: Multiply,
  backendName: 'cpu',
  kernelFunc: binaryKernel('multiply', Multiply) as unknown as KernelFunc,
};
