import {
  getKernel,
  getKernelsForBackend,
  type KernelConfig,
  type KernelFunc,
  registerKernel,
  type TensorInfo,
  unregisterKernel,
} from '@tensorflow/tfjs-core';
import { cpuKernels } from '../cpu/index.js';
import type { KernelSet } from '../kernels.js';

// The counted CPU fallback of the native adapters, written once: 'native'
// and 'cuda' register every kernel of the cpu backend through it, whether
// they are started by `initBackend` or by their own register function, so
// both routes run the same kernels and count the same fallbacks.

/** What a kernel function receives from the engine. */
export interface KernelArgsLike {
  inputs: unknown;
  backend: unknown;
  attrs?: unknown;
}

/**
 * A kernel of an adapter. `run` returns undefined when it does not take the
 * call (another dtype, layout or geometry): the CPU kernel then runs it.
 */
export interface AcceleratedKernel<Args extends KernelArgsLike = KernelArgsLike> {
  kernelName: string;
  run(args: Args): TensorInfo | TensorInfo[] | undefined;
}

/** Per kernel: calls its accelerated version ran, and calls that ran the CPU kernel instead. */
export interface KernelCount {
  accelerated: number;
  cpu: number;
}

/** Options of {@link registerCountedKernels}. */
export interface CountedKernelOptions<Args extends KernelArgsLike> {
  /** The backend's name in tfjs' registry. */
  backendName: string;
  kernels: readonly AcceleratedKernel<Args>[];
  /** Runs the CPU kernel for a call (default: on the backend's own memory, a cpu backend's). */
  runOnCpu?: (cpu: KernelFunc, args: Args) => TensorInfo | TensorInfo[];
  /** Called on a kernel's first fallback (a warning, for a backend where a fallback copies data). */
  onFirstFallback?: (kernelName: string) => void;
}

const CONVKIT_CPU = new Map(cpuKernels.map((k) => [k.kernelName, k.kernelFunc]));
let fallbackSet: KernelSet = 'convkit';

/**
 * Which CPU kernels the fallbacks run: convkit's (default; where convkit has
 * one, else tfjs') or tfjs' own. Read on every call, so `initBackend(name,
 * { kernels })` switches an adapter that is already registered.
 */
export function useFallbackKernels(set: KernelSet): void {
  fallbackSet = set;
}

/** The set the fallbacks run now ({@link useFallbackKernels}). */
export function fallbackKernels(): KernelSet {
  return fallbackSet;
}

/** The CPU kernel a fallback of `kernelName` runs now. */
export function cpuFallback(kernelName: string): KernelFunc | undefined {
  const convkit = fallbackSet === 'convkit' ? CONVKIT_CPU.get(kernelName) : undefined;
  return convkit ?? getKernel(kernelName, 'cpu')?.kernelFunc;
}

/**
 * Registers, for `backendName`, every kernel of tfjs' cpu backend (its
 * import must have run) and of convkit's: each runs the adapter's kernel when
 * it has one that takes the call, else the CPU kernel, and counts which ran.
 * Registering again replaces the kernels and keeps the counts.
 *
 * @returns the counts, per kernel name (live objects: read them with {@link countsOf}).
 * @throws Error naming the kernel when an adapter kernel has no CPU kernel to fall back on.
 */
export function registerCountedKernels<Args extends KernelArgsLike>(
  options: CountedKernelOptions<Args>,
  counts: Map<string, KernelCount> = new Map(),
): Map<string, KernelCount> {
  const { backendName, runOnCpu = (cpu, args) => cpu(args as Parameters<KernelFunc>[0]) } = options;
  const accelerated = new Map(options.kernels.map((k) => [k.kernelName, k]));
  const names = new Set([...getKernelsForBackend('cpu').map((k) => k.kernelName), ...CONVKIT_CPU.keys()]);
  for (const name of accelerated.keys()) {
    if (!names.has(name))
      throw new Error(`${backendName}: ${name} has an adapter kernel but no cpu kernel to fall back on`);
  }
  for (const kernelName of names) {
    const kernel = accelerated.get(kernelName);
    // One counter per kernel, found once here rather than on every call.
    const count = counts.get(kernelName) ?? { accelerated: 0, cpu: 0 };
    counts.set(kernelName, count);
    const kernelFunc = (args: Args): TensorInfo | TensorInfo[] => {
      if (kernel) {
        // Kernels without attributes get none from the engine.
        const result = kernel.run(args.attrs ? args : { ...args, attrs: {} });
        if (result !== undefined) {
          count.accelerated++;
          return result;
        }
      }
      const cpu = cpuFallback(kernelName) as KernelFunc;
      if (++count.cpu === 1) options.onFirstFallback?.(kernelName);
      return runOnCpu(cpu, args);
    };
    if (getKernel(kernelName, backendName)) unregisterKernel(kernelName, backendName);
    const config: KernelConfig = { kernelName, backendName, kernelFunc: kernelFunc as unknown as KernelFunc };
    registerKernel(config);
  }
  return counts;
}

/** A copy of the counts, without the kernels that never ran unless `always` names them. */
export function countsOf(
  counts: ReadonlyMap<string, KernelCount>,
  always: readonly string[] = [],
): Record<string, KernelCount> {
  const keep = new Set(always);
  return Object.fromEntries(
    [...counts].filter(([name, c]) => keep.has(name) || c.accelerated + c.cpu > 0).map(([name, c]) => [name, { ...c }]),
  );
}
