import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendInfo, InitOptions } from './backend-info.js';
import { cpuKernels } from './cpu/index.js';
import { BackendError } from './errors.js';
import { type KernelSet, useKernels } from './kernels.js';
import type { BackendName } from './names.js';
import { wasmKernels } from './wasm/index.js';
import { prepareSimdKernels } from './wasm/simd/module.js';
import { registerWasm } from './wasm/threaded.js';
import { planWasmThreads } from './wasm/threaded-count.js';
import { webgpuKernels } from './webgpu/index.js';
import { type AdapterInfo, ensureNavigatorGpu, probeAdapter } from './webgpu.js';

/** Starts tfjs' cpu backend with convkit's kernels (or its own, `'stock'`). */
export async function startCpu(kernels: KernelSet): Promise<BackendInfo> {
  await import('@tensorflow/tfjs-backend-cpu');
  useKernels('cpu', cpuKernels, kernels);
  await activate('cpu');
  // The cpu backend's first write in Node prints advice to install tfjs-node,
  // which cannot install here and is not what convkit users need.
  (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
  return { name: 'cpu', device: await cpuDevice(), threads: 1, kernels };
}

/**
 * Starts tfjs' wasm backend on `options.threads` threads (default: the
 * machine's cores, at most 8): tfjs' threaded SIMD build through convkit's
 * loader when more than one, tfjs' own single-threaded build for one.
 */
export async function startWasm(kernels: KernelSet, options: InitOptions): Promise<BackendInfo> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  if (options.wasmPaths !== undefined) wasm.setWasmPaths(options.wasmPaths as string);
  const plan = await planWasmThreads(options.threads, options.wasmPaths);
  registerWasm(wasm, plan.threads, options.wasmPaths);
  useKernels('wasm', wasmKernels, kernels);
  await activate('wasm');
  if (kernels === 'convkit') await prepareSimdKernels(tf.backend() as BackendWasm);
  const info: BackendInfo = { name: 'wasm', device: await cpuDevice(), threads: wasm.getThreadsCount(), kernels };
  return plan.reason === undefined ? info : { ...info, reason: plan.reason };
}

/** Starts tfjs' webgpu backend; a software adapter is accepted only when `explicit` (asked for by name). */
export async function startWebgpu(kernels: KernelSet, options: InitOptions, explicit: boolean): Promise<BackendInfo> {
  const gpu = await ensureNavigatorGpu({ software: explicit });
  const adapter = await probeAdapter(gpu, options.powerPreference);
  if (!adapter) throw new BackendError('webgpu', `no WebGPU adapter found: ${noAdapterHint()}`);
  await import('@tensorflow/tfjs-backend-webgpu');
  useKernels('webgpu', webgpuKernels, kernels);
  // The backend's flag exists once its module is loaded; it asks for its own adapter.
  tf.env().set('WEBGPU_USE_LOW_POWER_GPU', options.powerPreference === 'low-power');
  await activate('webgpu');
  const device = {
    kind: 'gpu' as const,
    description: describeAdapter(adapter),
    vendor: adapter.vendor,
    architecture: adapter.architecture,
    software: adapter.software,
  };
  return { name: 'webgpu', device, threads: 1, kernels };
}

/** What to do without an adapter: a browser's user checks the browser, Node's installs a Vulkan driver. */
function noAdapterHint(): string {
  if (typeof process === 'undefined' || process.versions?.node === undefined) {
    return 'this browser offers WebGPU but no adapter (the GPU may be blocklisted or WebGPU disabled; chrome://gpu says which), so use the wasm backend';
  }
  return 'on Linux without a GPU install a Vulkan driver (Debian: apt-get install chromium for SwiftShader, or mesa-vulkan-drivers from bookworm-backports), or use the wasm backend';
}

/** Makes the registered backend `name` the active one, or throws a BackendError that says why it did not start. */
export async function activate(name: BackendName): Promise<void> {
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

/** A WebGPU adapter in words: vendor, architecture, description. */
export function describeAdapter(adapter: AdapterInfo): string {
  return [adapter.vendor, adapter.architecture, adapter.description].filter(Boolean).join(' ') || 'unnamed adapter';
}

/** The processor in words, from Node's `os` or, in a page, the core count the browser reports. */
export async function cpuDevice(): Promise<BackendInfo['device']> {
  try {
    const os = await import(/* @vite-ignore */ 'node:os');
    const cpus = os.cpus();
    return { kind: 'cpu', description: `${cpus[0]?.model ?? 'CPU'} (${cpus.length} cores)` };
  } catch {
    const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
    return { kind: 'cpu', description: cores ? `${cores}-core CPU` : 'CPU' };
  }
}
