import type { CudaKernel } from './kernel.js';

export const normKernels: readonly CudaKernel[] = [];
