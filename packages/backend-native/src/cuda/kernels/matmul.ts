import type { CudaKernel } from './kernel.js';

export const matmulKernels: readonly CudaKernel[] = [];
