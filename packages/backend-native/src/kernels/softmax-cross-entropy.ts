import {
  crossEntropyGradOfRows,
  crossEntropyGradShape,
  crossEntropyOfRows,
  crossEntropyShape,
  SOFTMAX_CROSS_ENTROPY,
  SOFTMAX_CROSS_ENTROPY_GRAD,
} from '@convkit/backend/adapter';
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { f32, type KernelArgs, output } from './kernel.js';

// Softmax cross-entropy and its gradient (@convkit/backend's
// gradients/softmax-cross-entropy.ts has the math and the gradient): one JS
// pass over the batch × classes logits each, in place on the cpu backend's
// arrays. An addon call would cost more than the 640 values of a LeNet-5
// batch; what this saves is tfjs' ~20 dispatches per step. Like the ReLU
// gradient it has no cpu twin: without it the caller runs tfjs' formula.

type Inputs = { logits: TensorInfo; labels: TensorInfo; dy?: TensorInfo };

function loss({ inputs, backend }: KernelArgs<Inputs>): TensorInfo {
  const [rows, classes] = crossEntropyShape('native', inputs.logits, inputs.labels);
  const value = crossEntropyOfRows(f32(backend, inputs.logits) ?? [], f32(backend, inputs.labels) ?? [], rows, classes);
  return backend.makeTensorInfo([], 'float32', Float32Array.of(value));
}

function grad({ inputs, backend }: KernelArgs<Inputs>): TensorInfo {
  const [rows, classes] = crossEntropyGradShape('native', inputs.logits, inputs.labels, inputs.dy);
  const dy = f32(backend, inputs.dy)?.[0] as number;
  const dx = output(backend, rows * classes);
  const logits = f32(backend, inputs.logits) ?? [];
  crossEntropyGradOfRows(logits, f32(backend, inputs.labels) ?? [], dy, rows, classes, dx);
  return backend.makeTensorInfo([rows, classes], 'float32', dx);
}

/** ConvkitSoftmaxCrossEntropy and its gradient kernel as tfjs kernel configs for `backendName`. */
export function softmaxCrossEntropyKernels(backendName: string): KernelConfig[] {
  return [
    { kernelName: SOFTMAX_CROSS_ENTROPY, backendName, kernelFunc: loss as unknown as KernelConfig['kernelFunc'] },
    { kernelName: SOFTMAX_CROSS_ENTROPY_GRAD, backendName, kernelFunc: grad as unknown as KernelConfig['kernelFunc'] },
  ];
}
