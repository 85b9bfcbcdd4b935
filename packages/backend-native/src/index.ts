/**
 * @convkit/backend-native — two tfjs backends for Node. `'native'`: the cpu
 * backend's tensors, with convolutions, matrix products, pooling, LRN, batch
 * norm and the hot element-wise ops run by a C++ addon on oneDNN. `'cuda'`:
 * tensors in NVIDIA GPU memory and convkit's own CUDA kernels (an emulated
 * build runs the same kernels on the CPU for tests).
 *
 * @packageDocumentation
 */

export { APT_COMMAND, NativeUnavailableError } from './addon.js';
export type { NativeInfo, NativeOptions } from './backend.js';
export {
  NATIVE_BACKEND,
  NATIVE_KERNELS,
  NativeBackend,
  nativeKernelCalls,
  registerNativeBackend,
} from './backend.js';
export type { CudaAddon, CudaDevice, CudaMemory, CudaMode } from './cuda/addon.js';
export { CudaUnavailableError, cudaBinary } from './cuda/addon.js';
export { CudaBackend } from './cuda/backend.js';
export type { CudaInfo, CudaOptions } from './cuda/register.js';
export { CUDA_BACKEND, CUDA_KERNELS, cudaKernelCalls, registerCudaBackend } from './cuda/register.js';
export type { CudaStatus } from './cuda/status.js';
export { cudaStatus } from './cuda/status.js';
export type { NativeStatus } from './status.js';
export { nativeStatus } from './status.js';
