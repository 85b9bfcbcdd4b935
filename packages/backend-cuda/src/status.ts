import { existsSync } from 'node:fs';
import { type CudaDevice, CudaUnavailableError, cudaBinary, loadCudaAddon } from './addon.js';
import { CUDA_KERNELS } from './register.js';

/** Whether the CUDA backend can start here, and if not, why. */
export interface CudaStatus {
  /** A GPU answered: `registerCudaBackend()` / `initBackend('cuda')` will start. */
  available: boolean;
  /** Why not, in words, with what fixes it. */
  reason?: string;
  /** The nvcc-built addon exists (the install script found the CUDA toolkit). */
  built: boolean;
  /** The emulated addon exists: `registerCudaBackend({ emulate: true })` runs the kernels on the CPU. */
  emulatorBuilt: boolean;
  /** The GPU, when available. */
  device?: CudaDevice;
  /** Where the addon is (or would be). */
  binary: string;
  /** The kernels with a GPU version; every other kernel runs tfjs' cpu kernel on host copies. */
  kernels: readonly string[];
}

/**
 * What the CUDA backend would run on, without registering it: the question
 * `initBackend('auto')` asks first. Never throws for a missing driver or GPU;
 * loading the addon without CUDA installed never crashes.
 *
 * @example
 * ```ts
 * const status = cudaStatus();
 * console.log(status.available ? status.device?.name : status.reason);
 * ```
 */
export function cudaStatus(): CudaStatus {
  const base = {
    built: existsSync(cudaBinary('gpu')),
    emulatorBuilt: existsSync(cudaBinary('emulated')),
    binary: cudaBinary('gpu'),
    kernels: CUDA_KERNELS,
  };
  try {
    return { ...base, available: true, device: loadCudaAddon('gpu').device() };
  } catch (error) {
    if (!(error instanceof CudaUnavailableError)) throw error;
    return { ...base, available: false, reason: error.message };
  }
}
