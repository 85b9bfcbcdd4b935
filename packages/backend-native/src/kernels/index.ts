import { convKernels } from './conv.js';
import { elementwiseKernels } from './elementwise.js';
import { gatherKernels } from './gather.js';
import type { NativeKernel } from './kernel.js';
import { matMulKernels } from './matmul.js';
import { normKernels } from './norm.js';
import { poolKernels } from './pool.js';
import { reduceKernels } from './reduce.js';
import { slicePadKernels } from './slice-pad.js';
import { tileKernels } from './tile.js';

/** Every kernel the addon runs; the others are the cpu backend's, on the same memory. */
export const nativeKernels: readonly NativeKernel[] = [
  ...convKernels,
  ...matMulKernels,
  ...poolKernels,
  ...normKernels,
  ...elementwiseKernels,
  ...reduceKernels,
  ...tileKernels,
  ...slicePadKernels,
  ...gatherKernels,
];
