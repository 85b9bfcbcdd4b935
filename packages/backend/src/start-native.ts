import type { BackendInfo, InitOptions } from './backend-info.js';
import { cpuKernels } from './cpu/index.js';
import { BackendError } from './errors.js';
import { type KernelSet, useKernels } from './kernels.js';
import { activate, cpuDevice } from './start.js';

/** What `initBackend` uses of `@convkit/backend-native`, which it imports only when asked (an optional install). */
export interface NativeModule {
  registerNativeBackend(options: { threads?: number }): { threads: number; onednn: string; isa: string };
  nativeStatus(): { available: boolean; reason?: string };
  NATIVE_KERNELS: readonly string[];
  registerCudaBackend(options: { emulate?: boolean }): {
    device: { name: string; computeCapability: string; totalBytes: number; emulated: boolean };
  };
  cudaStatus(): { available: boolean; reason?: string; device?: { name: string } };
  CUDA_KERNELS: readonly string[];
}

/** The package that brings the `'native'` backend, imported only when asked for. */
export const NATIVE_PACKAGE = '@convkit/backend-native';

/** Whether this runs in Node, where the native and cuda backends (and the child-process probe) exist. */
export function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

/**
 * Imports `@convkit/backend-native`: from here when it is resolvable (npm's
 * flat layout, or a dependency of this package), else from the application's
 * folder (pnpm's strict layout hides an app's dependencies from its libraries).
 */
export async function loadNative(backend: 'native' | 'cuda' = 'native'): Promise<NativeModule> {
  if (!isNode()) throw new BackendError(backend, `the ${backend} backend runs in Node only: use webgpu or wasm here`);
  try {
    return (await import(/* @vite-ignore */ NATIVE_PACKAGE)) as NativeModule;
  } catch (first) {
    try {
      const { createRequire } = await import(/* @vite-ignore */ 'node:module');
      const { pathToFileURL } = await import(/* @vite-ignore */ 'node:url');
      const path = createRequire(`${process.cwd()}/package.json`).resolve(NATIVE_PACKAGE);
      return (await import(/* @vite-ignore */ pathToFileURL(path).href)) as NativeModule;
    } catch {
      const detail = first instanceof Error ? first.message : String(first);
      throw new BackendError(
        backend,
        `${NATIVE_PACKAGE} is not installed (${detail}): add it beside @convkit/backend (pnpm add ${NATIVE_PACKAGE}; it builds its oneDNN and CUDA addons at install)`,
        { cause: first },
      );
    }
  }
}

/** Starts the oneDNN backend; the kernels its addon lacks come from the cpu backend. */
export async function startNative(
  kernels: KernelSet,
  options: InitOptions,
  native: NativeModule,
): Promise<BackendInfo> {
  let started: ReturnType<NativeModule['registerNativeBackend']>;
  try {
    started = native.registerNativeBackend(options.threads === undefined ? {} : { threads: options.threads });
  } catch (cause) {
    throw new BackendError('native', cause instanceof Error ? cause.message : String(cause), { cause });
  }
  // The kernels the addon does not run come from the cpu backend: convkit's faster ones where it has them.
  const inAddon = new Set(native.NATIVE_KERNELS);
  useKernels(
    'native',
    cpuKernels.filter((k) => !inAddon.has(k.kernelName)),
    kernels,
  );
  await activate('native');
  const cpu = await cpuDevice();
  const device = { ...cpu, description: `${cpu.description}, oneDNN ${started.onednn} ${started.isa}` };
  return { name: 'native', device, threads: started.threads, kernels };
}

/** Starts the CUDA backend on the GPU, or in its CPU emulator with `options.emulate`. */
export async function startCuda(kernels: KernelSet, options: InitOptions, native: NativeModule): Promise<BackendInfo> {
  let started: ReturnType<NativeModule['registerCudaBackend']>;
  try {
    started = native.registerCudaBackend({ emulate: options.emulate ?? false });
  } catch (cause) {
    throw new BackendError('cuda', cause instanceof Error ? cause.message : String(cause), { cause });
  }
  await activate('cuda');
  const { device } = started;
  if (device.emulated) {
    const cpu = await cpuDevice();
    return {
      name: 'cuda',
      device: { ...cpu, description: `${device.name}, on ${cpu.description}` },
      threads: 1,
      kernels,
    };
  }
  const memory = `${(device.totalBytes / 2 ** 30).toFixed(0)} GiB`;
  const description = `${device.name} (compute capability ${device.computeCapability}, ${memory})`;
  return { name: 'cuda', device: { kind: 'gpu', description, vendor: 'nvidia' }, threads: 1, kernels };
}
