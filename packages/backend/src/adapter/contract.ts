// What @convkit/backend uses of the native adapters, which it imports only
// when asked for (optional installs). The adapters depend on this package, so
// the contract lives here and each adapter checks its own exports against it
// at compile time (src/contract.ts there): one definition, no copy, and no
// dependency cycle between the packages' builds.

/** The device the CUDA adapter runs on. */
export interface AdapterCudaDevice {
  name: string;
  computeCapability: string;
  totalBytes: number;
  /** The kernels run in convkit's CPU emulator, not on a GPU. */
  emulated: boolean;
}

/** What `initBackend('native')` imports from `@convkit/backend-native`. */
export interface NativeAdapter {
  registerNativeBackend(options?: { threads?: number }): { threads: number; onednn: string; isa: string };
  nativeStatus(): { available: boolean; reason?: string };
  /** The kernels the addon runs. */
  NATIVE_KERNELS: readonly string[];
}

/** What `initBackend('cuda')` imports from `@convkit/backend-cuda`. */
export interface CudaAdapter {
  registerCudaBackend(options?: { emulate?: boolean; warnOnCpuFallback?: boolean }): { device: AdapterCudaDevice };
  cudaStatus(): { available: boolean; reason?: string; device?: AdapterCudaDevice };
  cudaKernelCalls(): Record<string, { gpu: number; cpu: number }>;
  /** The kernels with a GPU version. */
  CUDA_KERNELS: readonly string[];
}
