import { RELU_GRAD } from '@convkit/backend/adapter';
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { loadAddon } from '../addon.js';
import { f32, type KernelArgs, output } from './kernel.js';

// ReLU's gradient in one addon call (`ConvkitReluGrad`, whose gradient
// @convkit/backend registers for Relu: it asks for this kernel only with
// float32 dy and x). Like the optimizer updates it has no cpu twin, so it is
// registered apart from the counted kernels (backend.ts).

function reluGrad({ inputs, backend }: KernelArgs<{ dy: TensorInfo; x: TensorInfo }>): TensorInfo {
  const dy = f32(backend, inputs.dy);
  const x = f32(backend, inputs.x);
  if (!dy || !x || inputs.dy.shape.join() !== inputs.x.shape.join()) {
    throw new TypeError(
      `native ${RELU_GRAD}: dy and x must be float32 tensors of one shape, received ` +
        `${inputs.dy?.dtype} [${inputs.dy?.shape}] and ${inputs.x?.dtype} [${inputs.x?.shape}]`,
    );
  }
  const dx = output(backend, x.length);
  loadAddon().reluGrad(dy, x, dx);
  return backend.makeTensorInfo(inputs.x.shape, 'float32', dx);
}

/** ConvkitReluGrad as a tfjs kernel config for `backendName`. */
export function reluGradKernel(backendName: string): KernelConfig {
  return { kernelName: RELU_GRAD, backendName, kernelFunc: reluGrad as unknown as KernelConfig['kernelFunc'] };
}
