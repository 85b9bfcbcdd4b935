import type { CudaKernel } from './kernel.js';

export const poolKernels: readonly CudaKernel[] = [];
