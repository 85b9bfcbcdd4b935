import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { BufferPool } from '../memory.js';

// Shape helpers and the activation codes are shared with @convkit/backend-cuda.
export { ACTIVATIONS, sameShape, sizeOf } from '@convkit/backend/adapter';

/** What a kernel function receives from the engine, with its inputs and attributes typed. */
export interface KernelArgs<Inputs, Attrs = Record<string, never>> {
  inputs: Inputs;
  backend: MathBackendCPU;
  attrs: Attrs;
}

/**
 * A native kernel. `run` returns undefined when it does not handle the call
 * (another dtype, a layout or geometry oneDNN cannot express): the kernel of
 * the cpu backend then runs on the same memory.
 */
export interface NativeKernel {
  kernelName: string;
  // biome-ignore lint/suspicious/noExplicitAny: each kernel types its own inputs and attributes.
  run(args: KernelArgs<any, any>): TensorInfo | undefined;
}

/** A tensor's float32 storage, in place; undefined for another dtype. */
export function f32(backend: MathBackendCPU, tensor: TensorInfo | undefined | null): Float32Array | undefined {
  if (tensor?.dtype !== 'float32') return undefined;
  const values = backend.data.get((tensor as TensorInfo).dataId).values;
  return values instanceof Float32Array ? values : undefined;
}

/** A backend with an output pool (the native one; a plain cpu backend allocates). */
interface Pooled {
  pool?: BufferPool;
}

/** An output array of `length` floats whose every element the kernel writes. */
export function output(backend: MathBackendCPU, length: number): Float32Array {
  return (backend as Pooled).pool?.alloc(length) ?? new Float32Array(length);
}

/** An output array of `length` zeros (for kernels that accumulate into it). */
export function zeros(backend: MathBackendCPU, length: number): Float32Array {
  return (backend as Pooled).pool?.zeros(length) ?? new Float32Array(length);
}

/** Tells the addon's filter cache whether an array it saw before was reused for other values. */
export function version(backend: MathBackendCPU, array: Float32Array): number {
  return (backend as Pooled).pool?.version(array) ?? 0;
}
