import { getKernel, type KernelConfig, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';

/** Which kernels a backend runs: convkit's replacements and additions, or tfjs' own. */
export type KernelSet = 'convkit' | 'stock';

/** The stock kernels that convkit's replaced, per backend and kernel name, to restore `'stock'`. */
const replaced = new Map<string, KernelConfig | null>();

/**
 * Puts convkit's kernels for a backend in place, or takes them out again.
 * Kernel registries are process-wide, so this is idempotent and reversible:
 * a benchmark can measure both sets in one process.
 */
export function useKernels(backendName: string, kernels: readonly KernelConfig[], set: KernelSet): void {
  for (const kernel of kernels) {
    const key = `${backendName}/${kernel.kernelName}`;
    const current = getKernel(kernel.kernelName, backendName);
    if (set === 'convkit') {
      if (current?.kernelFunc === kernel.kernelFunc) continue;
      if (!replaced.has(key)) replaced.set(key, current ?? null);
      if (current) unregisterKernel(kernel.kernelName, backendName);
      registerKernel({ ...kernel, backendName });
    } else if (replaced.has(key)) {
      if (current) unregisterKernel(kernel.kernelName, backendName);
      const original = replaced.get(key);
      if (original) registerKernel(original);
      replaced.delete(key);
    }
  }
}

/**
 * The stock kernel that convkit's replaced for a backend while convkit's set
 * is in place, for a replacement that hands the cases it does not cover back.
 */
export function stockKernel(backendName: string, kernelName: string): KernelConfig | undefined {
  return replaced.get(`${backendName}/${kernelName}`) ?? undefined;
}
