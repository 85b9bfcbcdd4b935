// Softmax cross-entropy and its gradient (gradients/softmax-cross-entropy.ts)
// on the wasm backend: one JS pass over the logits on the heap each. A loss
// has batch × classes values (640 for LeNet-5 on MNIST), far too few for
// XNNPACK's threads to pay; what it saves is tfjs' ~20 dispatches.
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import {
  crossEntropyGradOfRows,
  crossEntropyGradShape,
  crossEntropyOfRows,
  crossEntropyShape,
  SOFTMAX_CROSS_ENTROPY,
  SOFTMAX_CROSS_ENTROPY_GRAD,
} from '../gradients/softmax-cross-entropy.js';
import { asWasm, heapF32 } from './heap.js';

const loss: KernelFunc = ({ inputs, backend }) => {
  const wasm = asWasm(backend);
  const [rows, classes] = crossEntropyShape('wasm', inputs.logits, inputs.labels);
  const out = wasm.makeOutput([], 'float32');
  // Views after the last allocation: makeOutput may grow the heap and detach earlier ones.
  const logits = heapF32(wasm, inputs.logits as TensorInfo);
  const labels = heapF32(wasm, inputs.labels as TensorInfo);
  heapF32(wasm, out)[0] = crossEntropyOfRows(logits, labels, rows, classes);
  return out;
};

const grad: KernelFunc = ({ inputs, backend }) => {
  const wasm = asWasm(backend);
  const [rows, classes] = crossEntropyGradShape('wasm', inputs.logits, inputs.labels, inputs.dy);
  const out = wasm.makeOutput([rows, classes], 'float32');
  const logits = heapF32(wasm, inputs.logits as TensorInfo);
  const labels = heapF32(wasm, inputs.labels as TensorInfo);
  const dy = heapF32(wasm, inputs.dy as TensorInfo)[0] as number;
  crossEntropyGradOfRows(logits, labels, dy, rows, classes, heapF32(wasm, out));
  return out;
};

/** ConvkitSoftmaxCrossEntropy and its gradient kernel on the wasm backend. */
export const softmaxCrossEntropyConfigs: KernelConfig[] = [
  { kernelName: SOFTMAX_CROSS_ENTROPY, backendName: 'wasm', kernelFunc: loss },
  { kernelName: SOFTMAX_CROSS_ENTROPY_GRAD, backendName: 'wasm', kernelFunc: grad },
];
