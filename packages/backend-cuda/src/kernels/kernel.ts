import { sizeOf } from '@convkit/backend/adapter';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { CudaAddon } from '../addon.js';
import type { CudaBackend } from '../backend.js';

/** What a kernel function receives from the engine, with its inputs and attributes typed. */
export interface CudaKernelArgs<Inputs, Attrs = Record<string, never>> {
  inputs: Inputs;
  backend: CudaBackend;
  attrs: Attrs;
}

/**
 * A GPU kernel. `run` returns undefined when it does not take the call
 * (another dtype or layout): tfjs' cpu kernel then runs on copies of the
 * inputs, and the call is counted as a CPU fallback.
 */
export interface CudaKernel {
  kernelName: string;
  // biome-ignore lint/suspicious/noExplicitAny: each kernel types its own inputs and attributes.
  run(args: CudaKernelArgs<any, any>): TensorInfo | TensorInfo[] | undefined;
}

/** The addon with a kernel family's functions (declared by that family's file). */
export function gpu<Functions>(backend: CudaBackend): CudaAddon & Functions {
  return backend.addon as CudaAddon & Functions;
}

export { sizeOf } from '@convkit/backend/adapter';

/** Float32 of rank 4: the NHWC tensors the window kernels (depthwise, pool) take. */
export const takesNhwc = (t: TensorInfo) => t.dtype === 'float32' && t.shape.length === 4;

/**
 * A float32 output of `shape` for a kernel that sums over its operands:
 * empty when the shape is, zeros when an operand is empty (nothing to sum),
 * else what `write` stores at the output's device address.
 */
export function summedOutput(
  backend: CudaBackend,
  shape: readonly number[],
  operands: readonly TensorInfo[],
  write: (out: number) => void,
): TensorInfo {
  const out = backend.makeOutput([...shape], 'float32');
  const size = sizeOf(shape);
  if (size === 0) return out;
  if (operands.some((t) => sizeOf(t.shape) === 0)) backend.addon.fill(backend.pointer(out), size, 0, 0);
  else write(backend.pointer(out));
  return out;
}

/** Row-major strides of a shape, in elements. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = stride;
    stride *= shape[d] as number;
  }
  return strides;
}
