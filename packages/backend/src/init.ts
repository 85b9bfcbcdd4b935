import './register-ops.js';
import type { BackendInfo, InitOptions } from './backend-info.js';
import { BackendError } from './errors.js';
import { BACKEND_CHOICES, type BackendChoice, isBackendChoice } from './names.js';
import { startCpu, startWasm, startWebgpu } from './start.js';
import { startAuto } from './start-auto.js';
import { loadAdapter, startCuda, startNative } from './start-native.js';

export type { BackendInfo, InitOptions } from './backend-info.js';
export { CUDA_PACKAGE, NATIVE_PACKAGE } from './start-native.js';

/** `'auto', 'cpu', … or 'cuda'`: the names an unknown one is told about. */
const CHOICES_TEXT = `${BACKEND_CHOICES.slice(0, -1)
  .map((n) => `'${n}'`)
  .join(', ')} or '${BACKEND_CHOICES.at(-1)}'`;

/**
 * Starts a compute backend and makes it the active one: registers tfjs'
 * gradients and chained ops, convkit's kernels for the backend, and waits for
 * it to be ready.
 *
 * `'auto'` takes, in Node, an NVIDIA GPU through the cuda backend when
 * `@convkit/backend-cuda` built its CUDA addon and a device answers; else
 * a hardware WebGPU adapter when there is one; else, in Node, the native
 * backend when its oneDNN addon is built; else the wasm backend, else cpu. It never picks a software
 * WebGPU adapter (SwiftShader, lavapipe), which is slower than wasm — ask for
 * `'webgpu'` to get one. In Node it looks for the adapter in a short child
 * process first, so a machine without a Vulkan driver prints none of the
 * driver's warnings: `reason` says "no WebGPU adapter" instead.
 *
 * @example
 * ```ts
 * const info = await initBackend('auto');
 * console.log(info.name, info.reason);
 * ```
 */
export async function initBackend(name: BackendChoice = 'auto', options: InitOptions = {}): Promise<BackendInfo> {
  if (!isBackendChoice(name)) throw new BackendError(String(name), `unknown backend: use ${CHOICES_TEXT}`);
  const kernels = options.kernels ?? 'convkit';
  if (kernels !== 'convkit' && kernels !== 'stock') {
    throw new BackendError(name, `kernels must be 'convkit' or 'stock', received ${JSON.stringify(kernels)}`);
  }
  if (options.emulate !== undefined && name !== 'cuda') {
    throw new BackendError(
      name,
      `the emulate option applies to the cuda backend only, received emulate: ${options.emulate}`,
    );
  }
  if (options.threads !== undefined && name !== 'wasm' && name !== 'native' && name !== 'auto') {
    throw new BackendError(
      name,
      `the threads option applies to the wasm and native backends only, received threads: ${options.threads}`,
    );
  }
  switch (name) {
    case 'cpu':
      return startCpu(kernels);
    case 'wasm':
      return startWasm(kernels, options);
    case 'webgpu':
      return startWebgpu(kernels, options, true);
    case 'native':
      return startNative(kernels, options, await loadAdapter('native'));
    case 'cuda':
      return startCuda(kernels, options, await loadAdapter('cuda'));
    default:
      return startAuto(kernels, options);
  }
}
