/**
 * @convkit/backend-cuda — the `'cuda'` tfjs backend for Node: tensors in
 * NVIDIA GPU memory and convkit's own CUDA kernels (no cuDNN or cuBLAS). An
 * opt-in emulated build runs the same kernels on the CPU for tests.
 *
 * @packageDocumentation
 */

export type { CudaAddon, CudaDevice, CudaMemory, CudaMode } from './addon.js';
export { CudaUnavailableError, cudaBinary } from './addon.js';
export { CudaBackend } from './backend.js';
export type { CudaInfo, CudaOptions } from './register.js';
export { CUDA_BACKEND, CUDA_KERNELS, cudaKernelCalls, registerCudaBackend } from './register.js';
export type { CudaStatus } from './status.js';
export { cudaStatus } from './status.js';
