import './register-ops.js';
import * as tf from '@tensorflow/tfjs-core';
import { cpuKernels } from './cpu/index.js';
import { BackendError } from './errors.js';
import { type KernelSet, useKernels } from './kernels.js';
import { BACKEND_CHOICES, type BackendChoice, type BackendName, isBackendChoice } from './names.js';
import { wasmKernels } from './wasm/index.js';
import { type AdapterInfo, ensureNavigatorGpu, probeAdapter } from './webgpu.js';
import { probeAdapterInChild } from './webgpu-probe.js';

/** Options of {@link initBackend}. */
export interface InitOptions {
  /** `'convkit'` (default) adds and replaces kernels so the backend can train fast; `'stock'` runs tfjs' own. */
  kernels?: KernelSet;
  /**
   * wasm: worker threads (browser only, on a cross-origin isolated page). Default: what the page allows.
   * native: oneDNN's threads. Default: the machine's cores.
   */
  threads?: number;
  /** wasm: where the `.wasm` files are served from (a prefix or a map of file names to URLs). */
  wasmPaths?: string | Record<string, string>;
  /** webgpu: which adapter to ask for. Default `'high-performance'`. */
  powerPreference?: 'high-performance' | 'low-power';
  /**
   * cuda: run the CUDA kernels in convkit's emulator on the CPU instead of a
   * GPU (slow; for tests of the backend on machines without one). Default false.
   */
  emulate?: boolean;
}

/** What {@link initBackend} started. */
export interface BackendInfo {
  name: BackendName;
  device: {
    kind: 'cpu' | 'gpu';
    /** The processor or the adapter, in words. */
    description: string;
    vendor?: string;
    architecture?: string;
    /** A software WebGPU adapter (SwiftShader, lavapipe): runs on the CPU. */
    software?: boolean;
  };
  /** CPU threads the backend computes with. */
  threads: number;
  kernels: KernelSet;
  /** Why `'auto'` chose this backend. */
  reason?: string;
}

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
 * `@convkit/backend-native` built its CUDA addon and a device answers; else
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
      return startNative(kernels, options, await loadNative());
    case 'cuda':
      return startCuda(kernels, options, await loadNative('cuda'));
    default:
      return startAuto(kernels, options);
  }
}

async function startAuto(kernels: KernelSet, options: InitOptions): Promise<BackendInfo> {
  const why: string[] = [];
  const native = isNode() ? await loadNative().catch((error: unknown) => error as BackendError) : undefined;
  if (native && !(native instanceof Error)) {
    const cuda = native.cudaStatus();
    if (cuda.available) {
      const info = await startCuda(kernels, options, native);
      return { ...info, reason: `NVIDIA GPU ${cuda.device?.name}: the cuda backend` };
    }
    why.push(`no CUDA (${cuda.reason})`);
  }
  try {
    const adapter = await autoAdapter(options.powerPreference);
    if (adapter && !adapter.software) {
      const info = await startWebgpu(kernels, options, false);
      return { ...info, reason: `hardware WebGPU adapter ${describe(adapter)}` };
    }
    why.push(adapter ? `the WebGPU adapter is software (${describe(adapter)}), slower than wasm` : 'no WebGPU adapter');
  } catch (error) {
    why.push(`no WebGPU (${error instanceof Error ? error.message : String(error)})`);
  }
  if (native && !(native instanceof Error)) {
    if (native.nativeStatus().available) {
      const info = await startNative(kernels, options, native);
      return { ...info, reason: `${why.join('; ')}: the native backend (oneDNN) is the fastest CPU backend here` };
    }
    why.push(`native not built (${native.nativeStatus().reason})`);
  } else if (native) {
    why.push(native.message);
  }
  try {
    const info = await startWasm(kernels, options);
    return { ...info, reason: `${why.join('; ')}: wasm is the fastest CPU backend here` };
  } catch (error) {
    why.push(`wasm failed (${error instanceof Error ? error.message : String(error)})`);
  }
  const info = await startCpu(kernels);
  return { ...info, reason: `${why.join('; ')}: falling back to cpu` };
}

/**
 * The adapter 'auto' would get. In Node, before Dawn runs in this process, a child process asks (its stderr takes
 * the Vulkan loader's warnings on a machine without a driver), and Dawn starts here only for a hardware adapter.
 */
async function autoAdapter(powerPreference: InitOptions['powerPreference']): Promise<AdapterInfo | undefined> {
  const existing = (globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu;
  if (isNode() && !existing) {
    const probe = await probeAdapterInChild(powerPreference);
    // No adapter, or a software one that 'auto' never takes: Dawn need not start here. Without the optional
    // package, ensureNavigatorGpu below throws the error that says how to install it.
    if (!('missing' in probe) && (!probe.adapter || probe.adapter.software)) return probe.adapter;
  }
  const gpu = await ensureNavigatorGpu({ software: false });
  return probeAdapter(gpu, powerPreference);
}

async function startCpu(kernels: KernelSet): Promise<BackendInfo> {
  await import('@tensorflow/tfjs-backend-cpu');
  useKernels('cpu', cpuKernels, kernels);
  await activate('cpu');
  // The cpu backend's first write in Node prints advice to install tfjs-node,
  // which cannot install here and is not what convkit users need.
  (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
  return { name: 'cpu', device: await cpuDevice(), threads: 1, kernels };
}

async function startWasm(kernels: KernelSet, options: InitOptions): Promise<BackendInfo> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  if (options.wasmPaths !== undefined) wasm.setWasmPaths(options.wasmPaths as string);
  if (options.threads !== undefined) {
    if (!Number.isInteger(options.threads) || options.threads < 1) {
      throw new BackendError('wasm', `threads must be a positive integer, received ${options.threads}`);
    }
    wasm.setThreadsCount(options.threads);
  }
  useKernels('wasm', wasmKernels, kernels);
  await activate('wasm');
  return { name: 'wasm', device: await cpuDevice(), threads: wasm.getThreadsCount(), kernels };
}

async function startWebgpu(kernels: KernelSet, options: InitOptions, explicit: boolean): Promise<BackendInfo> {
  const gpu = await ensureNavigatorGpu({ software: explicit });
  const adapter = await probeAdapter(gpu, options.powerPreference);
  if (!adapter) {
    throw new BackendError(
      'webgpu',
      'no WebGPU adapter found: on Linux without a GPU install a Vulkan driver (Debian: apt-get install chromium for SwiftShader, or mesa-vulkan-drivers from bookworm-backports), or use the wasm backend',
    );
  }
  await import('@tensorflow/tfjs-backend-webgpu');
  // The backend's flag exists once its module is loaded; it asks for its own adapter.
  tf.env().set('WEBGPU_USE_LOW_POWER_GPU', options.powerPreference === 'low-power');
  await activate('webgpu');
  const device = {
    kind: 'gpu' as const,
    description: describe(adapter),
    vendor: adapter.vendor,
    architecture: adapter.architecture,
    software: adapter.software,
  };
  return { name: 'webgpu', device, threads: 1, kernels };
}

/** What `initBackend` uses of `@convkit/backend-native`, which it imports only when asked (an optional install). */
interface NativeModule {
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

function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

/**
 * Imports `@convkit/backend-native`: from here when it is resolvable (npm's
 * flat layout, or a dependency of this package), else from the application's
 * folder (pnpm's strict layout hides an app's dependencies from its libraries).
 */
async function loadNative(backend: 'native' | 'cuda' = 'native'): Promise<NativeModule> {
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

async function startNative(kernels: KernelSet, options: InitOptions, native: NativeModule): Promise<BackendInfo> {
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

async function startCuda(kernels: KernelSet, options: InitOptions, native: NativeModule): Promise<BackendInfo> {
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

async function activate(name: BackendName): Promise<void> {
  let ok: boolean;
  try {
    ok = await tf.setBackend(name);
    await tf.ready();
  } catch (cause) {
    throw new BackendError(name, `failed to start: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
  }
  if (!ok || tf.getBackend() !== name) {
    throw new BackendError(name, `tfjs could not initialize it (the active backend is ${tf.getBackend()})`);
  }
}

function describe(adapter: AdapterInfo): string {
  return [adapter.vendor, adapter.architecture, adapter.description].filter(Boolean).join(' ') || 'unnamed adapter';
}

async function cpuDevice(): Promise<BackendInfo['device']> {
  try {
    const os = await import(/* @vite-ignore */ 'node:os');
    const cpus = os.cpus();
    return { kind: 'cpu', description: `${cpus[0]?.model ?? 'CPU'} (${cpus.length} cores)` };
  } catch {
    const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
    return { kind: 'cpu', description: cores ? `${cores}-core CPU` : 'CPU' };
  }
}
