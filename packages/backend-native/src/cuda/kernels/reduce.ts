import type { CudaKernel } from './kernel.js';

export const reduceKernels: readonly CudaKernel[] = [];
