import type { CudaKernel } from './kernel.js';

export const depthwiseKernels: readonly CudaKernel[] = [];
