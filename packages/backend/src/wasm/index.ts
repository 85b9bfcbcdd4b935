import type { KernelConfig } from '@tensorflow/tfjs-core';
import { batchMatMulConfig } from './batch-mat-mul.js';
import { addConfig } from './bias-add.js';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { conv2DBackpropInputConfig } from './conv2d-backprop-input.js';
import { depthwiseBackpropFilterConfig, depthwiseBackpropInputConfig } from './depthwise-backprop.js';
import { fusedConv2DConfig } from './fused-conv2d.js';
import { fusedMatMulConfig } from './fused-mat-mul.js';
import { identityConfig } from './identity.js';
import { maxPoolConfig } from './max-pool.js';
import { maxPoolGradConfig } from './max-pool-grad.js';
import { reluGradKernelConfig } from './relu-grad.js';
import { sgdUpdateConfig } from './sgd-update.js';
import { softmaxCrossEntropyConfigs } from './softmax-cross-entropy.js';
import { sumConfig } from './sum.js';

/**
 * convkit's kernels for the tfjs wasm backend: the training kernels it lacks
 * (Conv2DBackpropFilter, both depthwise gradients), a correct MaxPoolGrad,
 * XNNPACK routes in place of stock kernels that are many times slower than
 * they need be (Conv2DBackpropInput, transposed BatchMatMul), FusedConv2D of
 * few input channels, 2×2 MaxPool and small dense products (BatchMatMul,
 * _FusedMatMul) by SIMD kernels, an Add whose
 * bias broadcast is 4× faster, an Identity without a copy, and the fused ReLU
 * gradient, SGD update and softmax cross-entropy that convkit's gradient of
 * Relu, its softmaxCrossEntropy, @convkit/train and the bench look up by name.
 */
export const wasmKernels: KernelConfig[] = [
  addConfig,
  batchMatMulConfig,
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  depthwiseBackpropFilterConfig,
  depthwiseBackpropInputConfig,
  fusedConv2DConfig,
  fusedMatMulConfig,
  identityConfig,
  maxPoolConfig,
  maxPoolGradConfig,
  reluGradKernelConfig,
  sgdUpdateConfig,
  sumConfig,
  ...softmaxCrossEntropyConfigs,
];
