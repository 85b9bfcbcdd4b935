import { convKernels } from './conv.js';
import { copyKernels } from './copy.js';
import { depthwiseKernels } from './depthwise.js';
import { elementwiseKernels } from './elementwise.js';
import type { CudaKernel } from './kernel.js';
import { matmulKernels } from './matmul.js';
import { normKernels } from './norm.js';
import { poolKernels } from './pool.js';
import { reduceKernels } from './reduce.js';

/** Every kernel with a GPU version; the others run tfjs' cpu kernels on copies. */
export const cudaKernels: readonly CudaKernel[] = [
  ...copyKernels,
  ...elementwiseKernels,
  ...reduceKernels,
  ...matmulKernels,
  ...convKernels,
  ...poolKernels,
  ...normKernels,
  ...depthwiseKernels,
];
