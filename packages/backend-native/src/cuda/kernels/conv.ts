import type { CudaKernel } from './kernel.js';

export const convKernels: readonly CudaKernel[] = [];
