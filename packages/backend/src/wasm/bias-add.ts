// Add on the wasm backend, for the one broadcast a convolution or dense layer
// does every step: x [..., C] + bias [C] (either operand first). The stock
// kernel broadcasts with a generic per-element index loop, 20× slower than
// its same-shape Add (LeNet-5's first layer, 64×28×28×6 + [6]: 1.0 ms
// against 0.05 ms, measured with 2 threads). This one is a JS loop on the heap
// (0.35–0.5 ms there). Float32 sums of two float32 values are the same computed in JS
// doubles and rounded on the store, so the result is bit-identical.
// Every other Add (same shapes, other broadcasts, other dtypes) is the stock kernel.
import { Add, type KernelConfig, type KernelFunc, type TensorInfo, util } from '@tensorflow/tfjs-core';
import { stockKernel } from '../kernels.js';
import { asWasm, heapF32, requireInput } from './heap.js';

/** Whether `bias` broadcasts over `x` along the last axis only: its shape is [C] (with leading 1s), x's is [..., C]. */
export function isLastAxisBias(x: TensorInfo, bias: TensorInfo): boolean {
  const channels = x.shape[x.shape.length - 1];
  if (x.shape.length < 2 || channels === undefined || bias.shape.length > x.shape.length) return false;
  if (bias.shape[bias.shape.length - 1] !== channels) return false;
  return util.sizeFromShape(bias.shape) === channels && util.sizeFromShape(x.shape) > channels;
}

const add: KernelFunc = (args) => {
  const a = requireInput(args.inputs, 'a', Add);
  const b = requireInput(args.inputs, 'b', Add);
  if (a.dtype === 'float32' && b.dtype === 'float32') {
    if (isLastAxisBias(a, b)) return addBias(args.backend, a, b);
    if (isLastAxisBias(b, a)) return addBias(args.backend, b, a);
  }
  const stock = stockKernel('wasm', Add);
  if (!stock) throw new Error('convkit wasm Add: the stock wasm Add kernel is not registered');
  setUpStock(args.backend);
  return stock.kernelFunc(args);
};

/** Backends on which the stock Add's setupFunc has run. */
const setUp = new WeakSet<object>();

/**
 * Binds the stock Add to a backend's wasm module, once per backend. The stock kernel does that
 * in its setupFunc, which a backend runs only for the kernels registered when it starts, and
 * this kernel holds the name by then (`kernels: 'stock'` starts a backend with the stock one).
 */
function setUpStock(backend: object): void {
  if (setUp.has(backend)) return;
  stockKernel('wasm', Add)?.setupFunc?.(backend as Parameters<NonNullable<KernelConfig['setupFunc']>>[0]);
  setUp.add(backend);
}

function addBias(backend: unknown, x: TensorInfo, bias: TensorInfo): TensorInfo {
  const wasm = asWasm(backend);
  const out = wasm.makeOutput(x.shape, 'float32');
  // Views after the last allocation: makeOutput can grow (and detach) the heap.
  const src = heapF32(wasm, x);
  const dst = heapF32(wasm, out);
  const b = Float32Array.from(heapF32(wasm, bias));
  const channels = b.length;
  // One channel at a time, striding over the rows: the loop body is a load, an add and a store
  // (1.4× faster on the heap than rows × channels with LeNet's 6 channels, measured).
  for (let c = 0; c < channels; c++) {
    const value = b[c] as number;
    for (let i = c; i < src.length; i += channels) dst[i] = (src[i] as number) + value;
  }
  return out;
}

/** Add on the wasm backend: a one-pass loop for a last-axis bias, the stock kernel for every other Add. */
export const addConfig: KernelConfig = {
  kernelName: Add,
  backendName: 'wasm',
  kernelFunc: add,
};
