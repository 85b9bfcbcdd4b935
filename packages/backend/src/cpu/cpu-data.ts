import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { BackendError } from '../errors.js';

/** What every kernel function receives from the engine, with its inputs and attributes typed. */
export interface KernelArgs<Inputs, Attrs> {
  inputs: Inputs;
  backend: MathBackendCPU;
  attrs: Attrs;
}

/**
 * A tensor's values as float32, without a copy when they already are. The ops
 * that call these kernels cast their inputs to float32 first, so the copy is
 * the rare path (a kernel invoked directly with int32 data).
 */
export function floatValues(backend: MathBackendCPU, tensor: TensorInfo, kernel: string): Float32Array {
  const values = backend.data.get(tensor.dataId).values;
  if (values instanceof Float32Array) return values;
  if (values === undefined || Array.isArray(values) || tensor.dtype === 'complex64' || tensor.dtype === 'string') {
    throw new BackendError('cpu', `${kernel} takes real numeric tensors, received dtype ${tensor.dtype}`);
  }
  return Float32Array.from(values as ArrayLike<number>);
}

/** The number of elements of a shape. */
export function sizeOf(shape: readonly number[]): number {
  let size = 1;
  for (const dim of shape) size *= dim;
  return size;
}
