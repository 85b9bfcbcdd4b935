import {
  findBackendFactory,
  getKernel,
  getKernelsForBackend,
  type KernelFunc,
  registerBackend,
  registerKernel,
  type TensorInfo,
  unregisterKernel,
} from '@tensorflow/tfjs-core';
import { type CudaDevice, type CudaMode, CudaUnavailableError, loadCudaAddon } from './addon.js';
import { CudaBackend } from './backend.js';
import { cudaKernels } from './kernels/index.js';
import type { CudaKernelArgs } from './kernels/kernel.js';

/** The backend's name in tfjs' registry. */
export const CUDA_BACKEND = 'cuda';

/** Options of {@link registerCudaBackend}. */
export interface CudaOptions {
  /**
   * Run the CUDA kernels in convkit's emulator on the CPU instead of on a GPU:
   * the same kernel source, compiled as C++, each block's threads as fibers.
   * Slow, and meant for tests of the backend and its kernels on machines
   * without a GPU. Default false.
   */
  emulate?: boolean;
  /** Print a warning the first time each kernel runs on the CPU for want of a GPU kernel. Default true. */
  warnOnCpuFallback?: boolean;
  /** tfjs' backend priority. Default 4: above webgpu (3), native and wasm. */
  priority?: number;
}

/** What {@link registerCudaBackend} set up. */
export interface CudaInfo {
  name: typeof CUDA_BACKEND;
  device: CudaDevice;
}

/** Per kernel: calls run on the GPU, and calls that ran tfjs' cpu kernel instead. */
const calls = new Map<string, { gpu: number; cpu: number }>();
let mode: CudaMode | undefined;
let warn = true;

/**
 * How many calls of each kernel ran on the GPU and how many on the CPU
 * (a kernel with no GPU version, or a call its GPU version does not take:
 * another dtype or layout), since the backend was registered.
 */
export function cudaKernelCalls(): Record<string, { gpu: number; cpu: number }> {
  return Object.fromEntries([...calls].filter(([, c]) => c.gpu + c.cpu > 0).map(([k, c]) => [k, { ...c }]));
}

/** The kernels that have a GPU version. */
export const CUDA_KERNELS: readonly string[] = [...new Set(cudaKernels.map((k) => k.kernelName))];

type CpuKernelFunc = Parameters<CudaBackend['runOnCpu']>[0];
type Count = { gpu: number; cpu: number };

function fallback(kernelName: string, count: Count, cpu: CpuKernelFunc, args: CudaKernelArgs<unknown, unknown>) {
  // The first fallback of a kernel is the one to warn about.
  if (++count.cpu === 1 && warn) {
    console.warn(
      `convkit cuda: ${kernelName} ran on the CPU (no GPU kernel takes these inputs; they were copied to the host and back). Shown once per kernel; cudaKernelCalls() counts them.`,
    );
  }
  return args.backend.runOnCpu(cpu, args.inputs, args.attrs);
}

function registerKernels(): void {
  const gpuKernels = new Map(cudaKernels.map((k) => [k.kernelName, k]));
  for (const config of getKernelsForBackend('cpu')) {
    const kernelName = config.kernelName;
    const cpu = config.kernelFunc as unknown as CpuKernelFunc;
    const kernel = gpuKernels.get(kernelName);
    // One counter per kernel, found once here rather than on every call.
    const count: Count = calls.get(kernelName) ?? { gpu: 0, cpu: 0 };
    calls.set(kernelName, count);
    const kernelFunc = (args: CudaKernelArgs<unknown, unknown>): TensorInfo | TensorInfo[] => {
      if (kernel) {
        // Kernels without attributes get none from the engine.
        const result = kernel.run(args.attrs ? args : { ...args, attrs: {} });
        if (result !== undefined) {
          count.gpu++;
          return result;
        }
      }
      return fallback(kernelName, count, cpu, args);
    };
    if (getKernel(kernelName, CUDA_BACKEND)) unregisterKernel(kernelName, CUDA_BACKEND);
    registerKernel({ kernelName, backendName: CUDA_BACKEND, kernelFunc: kernelFunc as unknown as KernelFunc });
  }
  for (const kernel of gpuKernels.values()) {
    if (!getKernel(kernel.kernelName, 'cpu')) {
      throw new Error(`cuda: ${kernel.kernelName} has a GPU kernel but no cpu kernel to fall back on`);
    }
  }
}

/**
 * Registers the `'cuda'` backend with tfjs (once) and returns the device it
 * runs on. It does not make it the active backend: `await tf.setBackend('cuda')`,
 * or `initBackend('cuda')` from `@convkit/backend`, which does both.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { registerCudaBackend } from '@convkit/backend-native';
 * const { device } = registerCudaBackend();
 * await tf.setBackend('cuda');
 * console.log(device.name); // e.g. "NVIDIA H100 80GB HBM3"
 * ```
 *
 * @throws CudaUnavailableError when the addon is not built (no nvcc at install), or there is no driver or GPU.
 */
export function registerCudaBackend(options: CudaOptions = {}): CudaInfo {
  const wanted: CudaMode = options.emulate ? 'emulated' : 'gpu';
  if (mode !== undefined && mode !== wanted) {
    throw new CudaUnavailableError(
      `the 'cuda' backend is already registered ${mode === 'emulated' ? 'on the emulator' : 'on the GPU'}; one process runs one of them`,
    );
  }
  const addon = loadCudaAddon(wanted);
  warn = options.warnOnCpuFallback ?? true;
  if (mode === undefined) {
    // The cpu kernels the fallback runs are those tfjs-backend-cpu's import registered.
    if (!findBackendFactory(CUDA_BACKEND))
      registerBackend(CUDA_BACKEND, () => new CudaBackend(addon), options.priority ?? 4);
    registerKernels();
    mode = wanted;
  }
  return { name: CUDA_BACKEND, device: addon.device() };
}
