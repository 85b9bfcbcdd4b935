import type { CudaKernel } from './kernel.js';

export const elementwiseKernels: readonly CudaKernel[] = [];
