import type { CudaAdapter, NativeAdapter } from './adapter/contract.js';
import { useFallbackKernels } from './adapter/fallback.js';
import type { BackendInfo, InitOptions } from './backend-info.js';
import { BackendError } from './errors.js';
import type { KernelSet } from './kernels.js';
import { activate, cpuDevice } from './start.js';

/** The package that brings the `'native'` backend (oneDNN), imported only when asked for. */
export const NATIVE_PACKAGE = '@convkit/backend-native';
/** The package that brings the `'cuda'` backend, imported only when asked for. */
export const CUDA_PACKAGE = '@convkit/backend-cuda';

const PACKAGES = { native: NATIVE_PACKAGE, cuda: CUDA_PACKAGE } as const;
const TOOLCHAINS = { native: 'its oneDNN addon', cuda: 'its CUDA addon where nvcc is installed' } as const;

/** Whether this runs in Node, where the native and cuda backends (and the child-process probe) exist. */
export function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

/**
 * Imports an adapter package, an optional peer dependency of this one: npm
 * and pnpm put it where this package resolves it when the app installed it
 * (pnpm links a workspace's optional peers the same way). Not installed: a
 * BackendError saying what to add.
 */
export async function loadAdapter(backend: 'native'): Promise<NativeAdapter>;
export async function loadAdapter(backend: 'cuda'): Promise<CudaAdapter>;
export async function loadAdapter(backend: 'native' | 'cuda'): Promise<NativeAdapter | CudaAdapter> {
  if (!isNode()) throw new BackendError(backend, `the ${backend} backend runs in Node only: use webgpu or wasm here`);
  const name = PACKAGES[backend];
  try {
    return (await import(/* @vite-ignore */ name)) as NativeAdapter | CudaAdapter;
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new BackendError(
      backend,
      `${name} is not installed (${detail}): add it beside @convkit/backend (pnpm add ${name}; it builds ${TOOLCHAINS[backend]} at install)`,
      { cause },
    );
  }
}

function started<T>(backend: 'native' | 'cuda', register: () => T): T {
  try {
    return register();
  } catch (cause) {
    throw new BackendError(backend, cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

/**
 * Starts the oneDNN backend: `registerNativeBackend` itself, so the kernels
 * its addon lacks fall back to the CPU kernels through the one counted
 * wrapper (adapter/fallback.ts), as they do without initBackend; `kernels`
 * picks convkit's or tfjs' CPU kernels for those fallbacks.
 */
export async function startNative(
  kernels: KernelSet,
  options: InitOptions,
  native: NativeAdapter,
): Promise<BackendInfo> {
  useFallbackKernels(kernels);
  const info = started('native', () =>
    native.registerNativeBackend(options.threads === undefined ? {} : { threads: options.threads }),
  );
  await activate('native');
  const cpu = await cpuDevice();
  const device = { ...cpu, description: `${cpu.description}, oneDNN ${info.onednn} ${info.isa}` };
  return { name: 'native', device, threads: info.threads, kernels };
}

/** Starts the CUDA backend on the GPU, or in its CPU emulator with `options.emulate`. */
export async function startCuda(kernels: KernelSet, options: InitOptions, cuda: CudaAdapter): Promise<BackendInfo> {
  useFallbackKernels(kernels);
  const { device } = started('cuda', () => cuda.registerCudaBackend({ emulate: options.emulate ?? false }));
  await activate('cuda');
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
