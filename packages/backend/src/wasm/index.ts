import type { KernelConfig } from '@tensorflow/tfjs-core';

/** convkit's kernels for the tfjs wasm backend: the training kernels it lacks, and a correct MaxPoolGrad. */
export const wasmKernels: KernelConfig[] = [];
