// Identity on the wasm backend without a copy. tfjs' wasm Identity copies the
// tensor into a fresh heap allocation; the engine runs it for every tensor a
// gradient saves (34 per LeNet-5 training step, each a malloc and a memcpy).
// Tensors are immutable and no kernel writes into its inputs, so the output
// can share the input's memory, counted like a Reshape's: this is what
// tfjs-cpu's Identity does. Strings keep the stock kernel.
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import { Identity } from '@tensorflow/tfjs-core';
import { stockKernel } from '../kernels.js';
import { asWasm, requireInput } from './heap.js';

const identity: KernelFunc = (args) => {
  const x = requireInput(args.inputs, 'x', Identity);
  if (x.dtype === 'string') {
    const stock = stockKernel('wasm', Identity);
    if (!stock) throw new Error('convkit wasm Identity: no stock kernel for a string tensor');
    return stock.kernelFunc(args);
  }
  asWasm(args.backend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
};

/** Identity on the wasm backend: the input's memory, shared (stock kernel for strings). */
export const identityConfig: KernelConfig = {
  kernelName: Identity,
  backendName: 'wasm',
  kernelFunc: identity,
};
