import type { KernelConfig } from '@tensorflow/tfjs-core';
import { conv2DBackpropFilterConfig, conv2DBackpropInputConfig, conv2DConfig } from './conv2d.js';

/**
 * convkit's kernels for tfjs' webgpu backend: convolution forward and both
 * of its gradients as tiled matrix products that gather their operands in
 * place (see conv2d.ts for why tfjs' own fall short on a training step).
 */
export const webgpuKernels: KernelConfig[] = [conv2DConfig, conv2DBackpropInputConfig, conv2DBackpropFilterConfig];
