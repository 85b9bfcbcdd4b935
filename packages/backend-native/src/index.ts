/**
 * @convkit/backend-native — the `'native'` tfjs backend for Node: the cpu
 * backend's tensors, with convolutions, matrix products, pooling, LRN, batch
 * norm and the hot element-wise ops run by a C++ addon on oneDNN. (The
 * `'cuda'` backend moved to @convkit/backend-cuda.)
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
export type { NativeStatus } from './status.js';
export { nativeStatus } from './status.js';
