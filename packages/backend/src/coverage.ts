import { getKernel, type KernelConfig } from '@tensorflow/tfjs-core';
import { fallbackKernels } from './adapter/fallback.js';
import { cpuKernels } from './cpu/index.js';
import type { BackendName } from './names.js';
import { loadAdapter } from './start-native.js';
import { wasmKernels } from './wasm/index.js';
import { webgpuKernels } from './webgpu/index.js';

/**
 * Every kernel that convkit's layer families reach, forward and backward:
 * convolution (strided, dilated, depthwise, grouped), max / average / L2 /
 * global / cross-channel pooling, LRN, batch norm, the activations, dense,
 * dropout and softmax cross-entropy. The conformance suite regenerates this
 * list by profiling those operations and fails when it drifts.
 */
export const LAYER_KERNELS: readonly string[] = [
  'Add', 'AddN', 'AvgPool', 'AvgPoolGrad', 'BatchMatMul', 'Cast', 'Concat', 'Conv2D',
  'Conv2DBackpropFilter', 'Conv2DBackpropInput', 'DepthwiseConv2dNative', 'DepthwiseConv2dNativeBackpropFilter',
  'DepthwiseConv2dNativeBackpropInput', 'Elu', 'EluGrad', 'Equal', 'Exp', 'Fill', 'Floor', 'FusedBatchNorm',
  'Greater', 'Identity', 'LRN', 'LRNGrad', 'LeakyRelu', 'LessEqual', 'Log', 'Max', 'MaxPool', 'MaxPoolGrad',
  'Mean', 'Multiply', 'Neg', 'OneHot', 'PadV2', 'Prelu', 'RealDiv', 'Relu', 'Relu6', 'Reshape', 'Reverse',
  'Rsqrt', 'Select', 'Selu', 'Sigmoid', 'Slice', 'Softplus', 'SplitV', 'Sqrt', 'Square', 'Step', 'Sub', 'Sum',
  'Tanh', 'Tile', 'Transpose', 'ZerosLike',
]; // biome-ignore format: one table

/**
 * Where a backend's kernel comes from: tfjs, convkit, nowhere, or (cuda)
 * tfjs' cpu kernel run on host copies of the inputs.
 */
export type KernelSource = 'stock' | 'convkit' | 'missing' | 'cpu-fallback';

/** One row of the coverage matrix. */
export interface CoverageRow {
  kernel: string;
  backends: Partial<Record<BackendName, KernelSource>>;
  /** cuda: how many calls of this kernel ran on the CPU so far in this process (cudaKernelCalls()). */
  cudaCpuCalls?: number;
}

const CONVKIT: Partial<Record<BackendName, readonly KernelConfig[]>> = {
  cpu: cpuKernels,
  wasm: wasmKernels,
  webgpu: webgpuKernels,
};

/** The kernels @convkit/backend-native runs in its addon, once `'native'` is registered (else none). */
let nativeKernels: readonly string[] = [];
/** What @convkit/backend-cuda runs on the GPU, once `'cuda'` is registered (else nothing). */
let cuda: { kernels: readonly string[]; calls(): Record<string, { gpu: number; cpu: number }> } | undefined;

/** Imports a backend's module so that its kernels are registered (it does not make it the active backend). */
async function loadKernels(name: BackendName): Promise<void> {
  if (name === 'cpu') await import('@tensorflow/tfjs-backend-cpu');
  else if (name === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  else if (name === 'webgpu') await import('@tensorflow/tfjs-backend-webgpu');
  else if (name === 'cuda') {
    // On a GPU when one answers, else on the emulator (the same kernels); neither built: every kernel is missing.
    try {
      const adapter = await loadAdapter('cuda');
      adapter.registerCudaBackend({ emulate: !adapter.cudaStatus().available });
      cuda = { kernels: adapter.CUDA_KERNELS, calls: adapter.cudaKernelCalls };
    } catch {
      cuda = undefined;
    }
  } else {
    // The native backend registers with the addon loaded: where it is not built, every kernel reads as missing.
    try {
      const adapter = await loadAdapter('native');
      adapter.registerNativeBackend();
      nativeKernels = adapter.NATIVE_KERNELS;
    } catch {
      nativeKernels = [];
    }
  }
}

/** Whether convkit wrote the kernel a backend runs (a native kernel, or one that adds to or replaces tfjs'). */
function isConvkit(name: BackendName, kernel: string): boolean {
  if (name === 'native') {
    // The addon's kernels, and convkit's cpu kernels where the fallback runs them (adapter/fallback.ts).
    const convkitCpu = fallbackKernels() === 'convkit' && cpuKernels.some((k) => k.kernelName === kernel);
    return nativeKernels.includes(kernel) || convkitCpu;
  }
  return CONVKIT[name]?.some((k) => k.kernelName === kernel) ?? false;
}

/**
 * For each kernel that convkit's layers use, whether each backend has it:
 * from tfjs (`stock`), from convkit (`convkit`: added or replacing a stock
 * one), or not at all (`missing`). Read from the kernel registries.
 *
 * @example
 * ```ts
 * console.log(formatCoverage(await kernelCoverage()));
 * ```
 */
export async function kernelCoverage(
  backends: readonly BackendName[] = ['cpu', 'wasm', 'webgpu'],
): Promise<CoverageRow[]> {
  for (const name of backends) await loadKernels(name);
  const cudaCalls = backends.includes('cuda') ? cuda?.calls() : undefined;
  return LAYER_KERNELS.map((kernel) => {
    const row: CoverageRow = { kernel, backends: {} };
    for (const name of backends) {
      const registered = getKernel(kernel, name) !== undefined;
      if (name === 'cuda') {
        // Every kernel of tfjs' cpu backend is registered for cuda: on the GPU, or on host copies.
        row.backends.cuda = !registered ? 'missing' : cuda?.kernels.includes(kernel) ? 'convkit' : 'cpu-fallback';
        row.cudaCpuCalls = cudaCalls?.[kernel]?.cpu ?? 0;
        continue;
      }
      row.backends[name] = isConvkit(name, kernel) ? 'convkit' : registered ? 'stock' : 'missing';
    }
    return row;
  });
}

/**
 * The coverage matrix as a text table: ✓ stock, + convkit, ✗ missing, and
 * for cuda ~N: runs on the CPU, N calls so far in this process.
 */
export function formatCoverage(rows: readonly CoverageRow[]): string {
  const backends = Object.keys(rows[0]?.backends ?? {}) as BackendName[];
  const mark: Record<KernelSource, string> = { stock: '✓', convkit: '+', missing: '✗', 'cpu-fallback': '~' };
  const cell = (r: CoverageRow, b: BackendName) => {
    const source = r.backends[b] ?? 'missing';
    return source === 'cpu-fallback' ? `~${r.cudaCpuCalls ?? 0}` : mark[source];
  };
  const width = Math.max(6, ...rows.map((r) => r.kernel.length));
  const header = `${'kernel'.padEnd(width)}  ${backends.map((b) => b.padEnd(6)).join(' ')}`;
  const lines = rows.map((r) => `${r.kernel.padEnd(width)}  ${backends.map((b) => cell(r, b).padEnd(6)).join(' ')}`);
  const legend = '✓ tfjs kernel   + convkit kernel   ✗ missing';
  const fallback = backends.includes('cuda') ? '   ~N runs on the CPU (N calls so far)' : '';
  return [header, ...lines, '', legend + fallback].join('\n');
}
