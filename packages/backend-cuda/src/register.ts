import { countsOf, type KernelCount, registerCountedKernels } from '@convkit/backend/adapter';
import { findBackendFactory, registerBackend } from '@tensorflow/tfjs-core';
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

/** Per kernel: calls run on the GPU, and calls that ran a cpu kernel instead (@convkit/backend/adapter). */
const counts = new Map<string, KernelCount>();
let mode: CudaMode | undefined;
let warn = true;

/**
 * How many calls of each kernel ran on the GPU and how many on the CPU
 * (a kernel with no GPU version, or a call its GPU version does not take:
 * another dtype or layout), since the backend was registered.
 */
export function cudaKernelCalls(): Record<string, { gpu: number; cpu: number }> {
  return Object.fromEntries(Object.entries(countsOf(counts)).map(([k, c]) => [k, { gpu: c.accelerated, cpu: c.cpu }]));
}

/** The kernels that have a GPU version. */
export const CUDA_KERNELS: readonly string[] = [...new Set(cudaKernels.map((k) => k.kernelName))];

type CpuKernelFunc = Parameters<CudaBackend['runOnCpu']>[0];

/** Every cpu kernel, on the GPU where a CUDA kernel takes the call, else on host copies: the one counted wrapper. */
function registerKernels(): void {
  registerCountedKernels<CudaKernelArgs<unknown, unknown>>(
    {
      backendName: CUDA_BACKEND,
      kernels: cudaKernels,
      runOnCpu: (cpu, args) => args.backend.runOnCpu(cpu as unknown as CpuKernelFunc, args.inputs, args.attrs),
      // The first fallback of a kernel is the one to warn about.
      onFirstFallback: (kernelName) => {
        if (!warn) return;
        console.warn(
          `convkit cuda: ${kernelName} ran on the CPU (no GPU kernel takes these inputs; they were copied to the host and back). Shown once per kernel; cudaKernelCalls() counts them.`,
        );
      },
    },
    counts,
  );
}

/**
 * Registers the `'cuda'` backend with tfjs (once) and returns the device it
 * runs on. It does not make it the active backend: `await tf.setBackend('cuda')`,
 * or `initBackend('cuda')` from `@convkit/backend`, which does both.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { registerCudaBackend } from '@convkit/backend-cuda';
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
    // The cpu kernels the fallback runs: tfjs-backend-cpu's (its import registered them), convkit's where it has them.
    if (!findBackendFactory(CUDA_BACKEND))
      registerBackend(CUDA_BACKEND, () => new CudaBackend(addon), options.priority ?? 4);
    registerKernels();
    mode = wanted;
  }
  return { name: CUDA_BACKEND, device: addon.device() };
}
