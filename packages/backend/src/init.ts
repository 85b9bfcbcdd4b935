import './register-ops.js';
import * as tf from '@tensorflow/tfjs-core';
import { cpuKernels } from './cpu/index.js';
import { BackendError } from './errors.js';
import { type KernelSet, useKernels } from './kernels.js';
import { wasmKernels } from './wasm/index.js';
import { type AdapterInfo, ensureNavigatorGpu, probeAdapter } from './webgpu.js';

/** Backends `initBackend` starts. (`'native'` and `'cuda'` come with the native addon.) */
export type BackendName = 'cpu' | 'wasm' | 'webgpu';

/** Options of {@link initBackend}. */
export interface InitOptions {
  /** `'convkit'` (default) adds and replaces kernels so the backend can train fast; `'stock'` runs tfjs' own. */
  kernels?: KernelSet;
  /** wasm: worker threads (browser only, on a cross-origin isolated page). Default: what the page allows. */
  threads?: number;
  /** wasm: where the `.wasm` files are served from (a prefix or a map of file names to URLs). */
  wasmPaths?: string | Record<string, string>;
  /** webgpu: which adapter to ask for. Default `'high-performance'`. */
  powerPreference?: 'high-performance' | 'low-power';
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

const KNOWN = ['auto', 'cpu', 'wasm', 'webgpu'];

/**
 * Starts a compute backend and makes it the active one: registers tfjs'
 * gradients and chained ops, convkit's kernels for the backend, and waits for
 * it to be ready.
 *
 * `'auto'` takes a hardware WebGPU adapter when there is one, else the wasm
 * backend, else cpu; it never picks a software WebGPU adapter (SwiftShader,
 * lavapipe), which is slower than wasm — ask for `'webgpu'` to get one.
 *
 * @example
 * ```ts
 * const info = await initBackend('auto');
 * console.log(info.name, info.reason);
 * ```
 */
export async function initBackend(
  name: BackendName | 'auto' = 'auto',
  options: InitOptions = {},
): Promise<BackendInfo> {
  if (!KNOWN.includes(name)) {
    const later = ['native', 'cuda'].includes(name) ? ` ('${name}' arrives with @convkit/backend-native)` : '';
    throw new BackendError(String(name), `unknown backend${later}: use 'auto', 'cpu', 'wasm' or 'webgpu'`);
  }
  const kernels = options.kernels ?? 'convkit';
  if (kernels !== 'convkit' && kernels !== 'stock') {
    throw new BackendError(name, `kernels must be 'convkit' or 'stock', received ${JSON.stringify(kernels)}`);
  }
  if (options.threads !== undefined && name !== 'wasm' && name !== 'auto') {
    throw new BackendError(
      name,
      `the threads option applies to the wasm backend only, received threads: ${options.threads}`,
    );
  }
  switch (name) {
    case 'cpu':
      return startCpu(kernels);
    case 'wasm':
      return startWasm(kernels, options);
    case 'webgpu':
      return startWebgpu(kernels, options, true);
    default:
      return startAuto(kernels, options);
  }
}

async function startAuto(kernels: KernelSet, options: InitOptions): Promise<BackendInfo> {
  const why: string[] = [];
  try {
    const gpu = await ensureNavigatorGpu({ software: false });
    const adapter = await probeAdapter(gpu, options.powerPreference);
    if (adapter && !adapter.software) {
      const info = await startWebgpu(kernels, options, false);
      return { ...info, reason: `hardware WebGPU adapter ${describe(adapter)}` };
    }
    why.push(adapter ? `the WebGPU adapter is software (${describe(adapter)}), slower than wasm` : 'no WebGPU adapter');
  } catch (error) {
    why.push(`no WebGPU (${error instanceof Error ? error.message : String(error)})`);
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
