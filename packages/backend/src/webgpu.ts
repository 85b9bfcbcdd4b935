import { BackendError } from './errors.js';
import {
  chooseSoftwareDriver,
  type DriverProbe,
  driversNamed,
  type NoDriver,
  type SoftwareVulkanDriver,
  type SoftwareVulkanDriverName,
} from './vulkan-driver.js';

/** What a WebGPU adapter says about itself. */
export interface AdapterInfo {
  vendor: string;
  architecture: string;
  description: string;
  /** A CPU implementation of WebGPU (SwiftShader, lavapipe/llvmpipe): slower than wasm. */
  software: boolean;
}

const SOFTWARE_NAMES = /swiftshader|llvmpipe|lavapipe|software|microsoft basic render/i;

/** The fields of a `GPUAdapter` that convkit reads (Dawn's and browsers' alike). */
export interface MinimalAdapter {
  isFallbackAdapter?: boolean;
  info?: Partial<Record<'vendor' | 'architecture' | 'description' | 'device', string>> & {
    isFallbackAdapter?: boolean;
  };
}

interface MinimalGpu {
  requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<MinimalAdapter | null>;
}

const isNode = typeof process !== 'undefined' && process.versions?.node !== undefined;

function currentGpu(): MinimalGpu | undefined {
  return (globalThis as { navigator?: { gpu?: MinimalGpu } }).navigator?.gpu;
}

/**
 * In Node, installs `navigator.gpu` from the optional `webgpu` package (Dawn)
 * before the tfjs WebGPU backend is imported, which reads it at import time.
 * In a browser, `navigator.gpu` is already there (or WebGPU is unsupported).
 */
export async function ensureNavigatorGpu(options: { software: boolean }): Promise<MinimalGpu> {
  const existing = currentGpu();
  // A Dawn instance made without the software driver cannot see it later: make a new one.
  const upgrade = options.software && dawnState === 'hardware' && (await softwareDriver()) !== undefined;
  if (existing && !upgrade) return existing;
  if (!isNode) {
    throw new BackendError(
      'webgpu',
      'this browser has no navigator.gpu: use a browser with WebGPU enabled (Chrome 113+, Edge, Safari 26) or the wasm backend',
    );
  }
  // A software Vulkan driver is only wanted when asked for, and must be chosen before Dawn starts.
  const software = options.software ? await softwareDriver() : undefined;
  if (software) process.env.VK_ICD_FILENAMES = software.icd;
  let dawn: { create: (flags: string[]) => MinimalGpu; globals: Record<string, unknown> };
  try {
    dawn = (await import(/* @vite-ignore */ 'webgpu')) as unknown as typeof dawn;
  } catch (cause) {
    throw new BackendError(
      'webgpu',
      "WebGPU in Node needs the optional package 'webgpu' (Dawn): run `pnpm add webgpu` (or npm install webgpu), or use the wasm backend",
      { cause },
    );
  }
  Object.assign(globalThis, dawn.globals);
  const gpu = dawn.create([]);
  dawnState = software || process.env.VK_ICD_FILENAMES ? 'software' : 'hardware';
  const holder = globalThis as { navigator?: { gpu?: MinimalGpu } };
  if (holder.navigator) Object.defineProperty(holder.navigator, 'gpu', { value: gpu, configurable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  return gpu;
}

/** Which Vulkan drivers the Dawn instance this module made can see. */
let dawnState: 'hardware' | 'software' | undefined;

/** The software driver to start Dawn with, found once per process: each probe costs a child process. */
let chosen: Promise<SoftwareVulkanDriver | undefined> | undefined;

/**
 * The software driver to start Dawn with, or none: the user chose a Vulkan
 * driver (`VK_ICD_FILENAMES`), which wins, or the Vulkan loader finds a GPU
 * by itself, which a software driver must not hide.
 */
async function softwareDriver(): Promise<SoftwareVulkanDriver | undefined> {
  if (process.env.VK_ICD_FILENAMES) return undefined;
  chosen ??= (async () => {
    const { probeAdapterInChild } = await import('./webgpu-probe.js');
    const plain = await probeAdapterInChild('high-performance').catch(() => undefined);
    if (plain && !('missing' in plain) && plain.adapter && !plain.adapter.software) return undefined;
    const choice = await findSoftwareVulkanDriver();
    return 'icd' in choice ? choice : undefined;
  })();
  return chosen;
}

/**
 * The fastest installed software Vulkan driver (lavapipe, then SwiftShader)
 * on which Dawn finds an adapter, or each manifest looked for and why it was
 * not taken; `name` restricts the search to one driver. It ignores
 * `VK_ICD_FILENAMES`: a benchmark sets that per child process from the answer.
 * Node only.
 *
 * @example
 * const driver = await findSoftwareVulkanDriver('lavapipe');
 * if ('icd' in driver) spawn(process.execPath, [worker], { env: { ...process.env, VK_ICD_FILENAMES: driver.icd } });
 */
export function findSoftwareVulkanDriver(name?: SoftwareVulkanDriverName): Promise<SoftwareVulkanDriver | NoDriver> {
  return chooseSoftwareDriver(nodeDriverProbe, driversNamed(name));
}

/** Installed: the manifest exists; works: Dawn, in a child process started with that driver alone, finds an adapter. */
const nodeDriverProbe: DriverProbe = {
  exists: fileExists,
  async works(icd) {
    // Imported here: webgpu-probe.ts imports this module.
    const { probeAdapterInChild } = await import('./webgpu-probe.js');
    const probe = await probeAdapterInChild('high-performance', { VK_ICD_FILENAMES: icd }).catch(() => undefined);
    return probe !== undefined && !('missing' in probe) && probe.adapter !== undefined;
  },
};

/** Asks for an adapter and describes it; `undefined` when there is none. */
export async function probeAdapter(
  gpu: MinimalGpu,
  powerPreference: 'high-performance' | 'low-power' = 'high-performance',
): Promise<AdapterInfo | undefined> {
  const adapter = await gpu.requestAdapter({ powerPreference });
  return adapter ? adapterInfo(adapter) : undefined;
}

/** What an adapter says about itself, and whether it is a software implementation. */
export function adapterInfo(adapter: MinimalAdapter): AdapterInfo {
  const info = adapter.info ?? {};
  const vendor = info.vendor ?? '';
  const architecture = info.architecture ?? '';
  const description = info.description ?? info.device ?? '';
  const fallback = adapter.isFallbackAdapter ?? info.isFallbackAdapter ?? false;
  return {
    vendor,
    architecture,
    description,
    software: fallback || SOFTWARE_NAMES.test(`${vendor} ${architecture} ${description}`),
  };
}

async function fileExists(path: string): Promise<boolean> {
  try {
    const fs = await import(/* @vite-ignore */ 'node:fs');
    return fs.existsSync(path);
  } catch {
    return false;
  }
}
