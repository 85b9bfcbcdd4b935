import type { KernelConfig } from '@tensorflow/tfjs-core';
import { addConfig, multiplyConfig } from './add-multiply.js';
import { batchMatMulConfig } from './batch-mat-mul.js';
import { conv2dBackpropFilterConfig, conv2dBackpropInputConfig, conv2dConfig } from './conv2d.js';
import { maxPoolConfig, maxPoolGradConfig } from './max-pool.js';
import { sumConfig } from './sum.js';

/**
 * convkit's kernels for the tfjs cpu backend: the same math as the stock
 * ones (same results to float32 rounding, same tie rules), fast enough to
 * train — im2col + a packed SGEMM for convolutions and matrix products,
 * single-pass pooling and reductions. `initBackend('cpu')` installs them.
 */
export const cpuKernels: KernelConfig[] = [
  conv2dConfig,
  conv2dBackpropFilterConfig,
  conv2dBackpropInputConfig,
  maxPoolConfig,
  maxPoolGradConfig,
  batchMatMulConfig,
  sumConfig,
  addConfig,
  multiplyConfig,
];
