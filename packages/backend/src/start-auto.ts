import type { BackendInfo, InitOptions } from './backend-info.js';
import type { BackendError } from './errors.js';
import type { KernelSet } from './kernels.js';
import { describeAdapter, startCpu, startWasm, startWebgpu } from './start.js';
import { isNode, loadAdapter, startCuda, startNative } from './start-native.js';
import { type AdapterInfo, ensureNavigatorGpu, probeAdapter } from './webgpu.js';
import { probeAdapterInChild } from './webgpu-probe.js';

/**
 * `'auto'`: cuda on an NVIDIA GPU, else a hardware WebGPU adapter, else
 * native (oneDNN), else wasm on the machine's cores (`options.threads`
 * overrides), else cpu. `reason` lists why each faster one was passed over,
 * and wasm's thread count.
 */
export async function startAuto(kernels: KernelSet, options: InitOptions): Promise<BackendInfo> {
  const why: string[] = [];
  const cuda = isNode() ? await loadAdapter('cuda').catch((error: unknown) => error as BackendError) : undefined;
  if (cuda && !(cuda instanceof Error)) {
    const status = cuda.cudaStatus();
    if (status.available) {
      const info = await startCuda(kernels, options, cuda);
      return { ...info, reason: `NVIDIA GPU ${status.device?.name}: the cuda backend` };
    }
    why.push(`no CUDA (${status.reason})`);
  } else if (cuda) {
    why.push(`no CUDA (${cuda.message})`);
  }
  try {
    const adapter = await autoAdapter(options.powerPreference);
    if (adapter && !adapter.software) {
      const info = await startWebgpu(kernels, options, false);
      return { ...info, reason: `hardware WebGPU adapter ${describeAdapter(adapter)}` };
    }
    why.push(
      adapter ? `the WebGPU adapter is software (${describeAdapter(adapter)}), slower than wasm` : 'no WebGPU adapter',
    );
  } catch (error) {
    why.push(`no WebGPU (${error instanceof Error ? error.message : String(error)})`);
  }
  const native = isNode() ? await loadAdapter('native').catch((error: unknown) => error as BackendError) : undefined;
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
    // Without native (a machine without libdnnl-dev, a browser), wasm is what most users run: startWasm gives it
    // the machine's cores unless options.threads says otherwise, and says why where it runs on fewer.
    const info = await startWasm(kernels, options);
    const threads = `${info.threads} thread${info.threads === 1 ? '' : 's'}${info.reason ? `: ${info.reason}` : ''}`;
    return { ...info, reason: `${why.join('; ')}: wasm (${threads}) is the fastest CPU backend here` };
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
