// Helpers shared by convkit's wasm kernels: calling the backend's own
// (XNNPACK-backed) kernels from inside a kernel, and reading and writing
// tensors in place on the wasm heap.
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  getKernel,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type NamedTensorInfoMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { stockKernel } from '../kernels.js';

/**
 * Runs one of the wasm backend's registered kernels directly, at backend level.
 *
 * Going through the kernel function rather than `engine().runKernel` keeps the
 * intermediate results off the tape and out of `tf.memory()`: the caller owns
 * them and must {@link release} them.
 */
export function runWasmKernel(
  backend: BackendWasm,
  kernelName: string,
  inputs: NamedTensorInfoMap,
  attrs: NamedAttrMap = {},
): TensorInfo {
  const kernel = getKernel(kernelName, 'wasm');
  if (!kernel) throw new Error(`convkit wasm kernels: the wasm backend has no ${kernelName} kernel to build on`);
  const out = kernel.kernelFunc({ inputs, attrs, backend });
  if (Array.isArray(out)) throw new Error(`convkit wasm kernels: ${kernelName} returned several outputs`);
  return out;
}

/** Frees intermediate results made inside a kernel (never its inputs or its output). */
export function release(backend: BackendWasm, ...infos: TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

/**
 * A float32 view of a tensor on the wasm heap. Any allocation on the heap can
 * grow the wasm memory and detach earlier views: take views after the last
 * allocation, and take them again after calling another kernel.
 */
export function heapF32(backend: BackendWasm, info: TensorInfo): Float32Array {
  if (info.dtype !== 'float32') throw new Error(`convkit wasm kernels: expected float32, received ${info.dtype}`);
  const view = backend.typedArrayFromHeap(info);
  if (!(view instanceof Float32Array)) throw new Error('convkit wasm kernels: the heap view is not a Float32Array');
  return view;
}

/** The same data seen with another shape (no copy; release the original, not this). */
export function withShape(info: TensorInfo, shape: number[]): TensorInfo {
  return { dataId: info.dataId, shape, dtype: info.dtype };
}

/** Throws the same error as the stock wasm convolutions for a channels-first layout. */
export function assertChannelsLast(kernelName: string, dataFormat: string | undefined): void {
  if (dataFormat !== undefined && dataFormat !== 'NHWC' && dataFormat !== 'channelsLast') {
    throw new Error(`convkit wasm ${kernelName} supports dataFormat 'NHWC' only, received '${dataFormat}'`);
  }
}

/** `[[0, 0], [top, bottom], [left, right], [0, 0]]`: explicit NHWC padding for Conv2D. */
export function explicitPad(top: number, bottom: number, left: number, right: number): number[][] {
  return [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ];
}

/** A kernel input by name, or a clear error when the caller left it out. */
export function requireInput(inputs: NamedTensorInfoMap, name: string, kernelName: string): TensorInfo {
  const info = inputs[name];
  if (!info) throw new Error(`convkit wasm ${kernelName}: missing input '${name}'`);
  return info;
}

/** `backend` as the wasm backend that it is when a kernel registered for 'wasm' runs. */
export function asWasm(backend: unknown): BackendWasm {
  return backend as BackendWasm;
}

/** Per stock kernel name, the backends on which its setupFunc has run. */
const setUp = new Map<string, WeakSet<object>>();

/**
 * The stock wasm kernel that convkit's `kernelName` replaced, bound to this backend's wasm
 * module, for a replacement that hands the cases it does not cover back. Stock kernels bind
 * themselves in their setupFunc, which a backend runs only for the kernels registered when it
 * starts, and convkit's kernel holds the name by then (`kernels: 'stock'` starts a backend with
 * the stock one).
 */
export function boundStockKernel(backend: object, kernelName: string): KernelFunc {
  const stock = stockKernel('wasm', kernelName);
  if (!stock) throw new Error(`convkit wasm ${kernelName}: the stock wasm ${kernelName} kernel is not registered`);
  const backends = setUp.get(kernelName) ?? new WeakSet<object>();
  setUp.set(kernelName, backends);
  if (!backends.has(backend)) {
    stock.setupFunc?.(backend as Parameters<NonNullable<KernelConfig['setupFunc']>>[0]);
    backends.add(backend);
  }
  return stock.kernelFunc;
}
