// Add on the wasm backend, for the one broadcast a convolution or dense layer
// does every step: x [..., C] + bias [C] (either operand first). The stock
// kernel's broadcast costs per row of the smaller operand, so a bias of 6
// channels is 20× slower than a same-shape Add (LeNet-5's first layer,
// 64×28×28×6 + [6]: 1.0 ms against 0.05 ms, 2 threads). This one hands the
// stock kernel the same sum with the bias repeated to a long row (0.23 ms;
// a JS loop on the heap takes 0.35–0.5 ms). The arithmetic is the stock
// kernel's, one float32 add per element, so the result is bit-identical.
// Every other Add (same shapes, other broadcasts, other dtypes) is the stock kernel.
import { Add, type KernelConfig, type KernelFunc, type TensorInfo, util } from '@tensorflow/tfjs-core';
import { asWasm, boundStockKernel, heapF32, release, requireInput, withShape } from './heap.js';

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
  const stock = boundStockKernel(args.backend, Add);
  if (a.dtype === 'float32' && b.dtype === 'float32') {
    if (isLastAxisBias(a, b)) return addBias(stock, args.backend, a, b);
    if (isLastAxisBias(b, a)) return addBias(stock, args.backend, b, a);
  }
  return stock(args);
};

/** Elements of a repeated bias row: long enough that the stock kernel's per-row cost vanishes, short to fill. */
const MAX_ROW = 1 << 14;

/**
 * x [..., C] + bias [C] as the stock Add of x seen as [rows, L] and the bias
 * repeated to L = C·k (k whole trailing rows of x, L ≤ MAX_ROW). The stock
 * kernel's broadcast pays per row of the smaller operand: LeNet-5's
 * 64×28×28×6 + [6] takes 1.0 ms as given, 0.24 ms as [64, 4704] + [4704].
 */
function addBias(stock: KernelFunc, backend: unknown, x: TensorInfo, bias: TensorInfo): TensorInfo {
  const wasm = asWasm(backend);
  const channels = bias.shape[bias.shape.length - 1] ?? 1;
  let length = channels;
  for (let axis = x.shape.length - 2; axis > 0; axis--) {
    const next = length * (x.shape[axis] ?? 1);
    if (next > MAX_ROW) break;
    length = next;
  }
  const rows = util.sizeFromShape(x.shape) / length;
  const repeated = wasm.makeOutput([length], 'float32');
  const row = heapF32(wasm, repeated);
  row.set(heapF32(wasm, bias));
  for (let filled = channels; filled < length; filled *= 2)
    row.copyWithin(filled, 0, Math.min(filled, length - filled));
  const sum = stock({ inputs: { a: withShape(x, [rows, length]), b: repeated }, backend: wasm, attrs: {} });
  release(wasm, repeated);
  return withShape(sum as TensorInfo, x.shape);
}

/** Add on the wasm backend: a last-axis bias as a long repeated row, the stock kernel for every other Add. */
export const addConfig: KernelConfig = {
  kernelName: Add,
  backendName: 'wasm',
  kernelFunc: add,
};
