/**
 * @convkit/backend/adapter — what the native adapters (@convkit/backend-native,
 * @convkit/backend-cuda) share: the counted CPU-fallback wrapper, the kernel
 * geometry their addons read, and the contract initBackend imports them by.
 * The C++ side of the geometry ships in this package's include/ folder.
 *
 * @packageDocumentation
 */

export { ADAM_UPDATE, SGD_UPDATE } from '../fused-kernels.js';
export { RELU_GRAD } from '../gradients/relu.js';
export {
  crossEntropyGradOfRows,
  crossEntropyGradShape,
  crossEntropyOfRows,
  crossEntropyShape,
  SOFTMAX_CROSS_ENTROPY,
  SOFTMAX_CROSS_ENTROPY_GRAD,
} from '../gradients/softmax-cross-entropy.js';
export type { AdapterCudaDevice, CudaAdapter, NativeAdapter } from './contract.js';
export type { AcceleratedKernel, CountedKernelOptions, KernelArgsLike, KernelCount } from './fallback.js';
export { countsOf, cpuFallback, fallbackKernels, registerCountedKernels, useFallbackKernels } from './fallback.js';
export type { GradAttrs, MatMulShape } from './kernel-geometry.js';
export {
  ACTIVATIONS,
  convGeometry,
  convGradInfo,
  convInfo,
  lrnSizes,
  matMulShape,
  sameShape,
  sizeOf,
  windowSizes,
} from './kernel-geometry.js';
export type { PoolAttrs } from './pool-geometry.js';
export { poolGeometry, poolGradInfo, poolInfo } from './pool-geometry.js';
