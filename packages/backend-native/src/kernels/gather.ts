import { GatherV2, type GatherV2Attrs, type TensorInfo, util } from '@tensorflow/tfjs-core';
import { f32, type KernelArgs, type NativeKernel, output, sizeOf } from './kernel.js';

/**
 * GatherV2 of float32 data as row copies: a training loop draws its batches
 * this way (`tf.gather(images, indices)`), and tfjs' cpu kernel converts
 * every element's flat index to coordinates and back, 6 ms for an MNIST
 * batch of 64 — longer than the LeNet step it feeds. Here each gathered
 * slice is one `set` of a contiguous subarray (a memcpy).
 */
function gather({ inputs, backend, attrs }: KernelArgs<{ x: TensorInfo; indices: TensorInfo }, GatherV2Attrs>) {
  const { x, indices } = inputs;
  const values = f32(backend, x);
  if (!values || (attrs.batchDims ?? 0) !== 0 || indices.dtype !== 'int32') return undefined;
  const index = backend.data.get(indices.dataId).values as Int32Array;
  const [axis] = util.parseAxisParam(attrs.axis, x.shape) as [number];
  const axisSize = x.shape[axis] as number;
  // An index out of range goes to the cpu kernel, which throws tfjs' own message.
  for (let i = 0; i < index.length; i++)
    if (!((index[i] as number) >= 0 && (index[i] as number) < axisSize)) return undefined;
  const outer = sizeOf(x.shape.slice(0, axis));
  const inner = sizeOf(x.shape.slice(axis + 1));
  const shape = [...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)];
  const out = output(backend, sizeOf(shape));
  let at = 0;
  for (let o = 0; o < outer; o++) {
    const base = o * axisSize * inner;
    for (let i = 0; i < index.length; i++, at += inner) {
      const from = base + (index[i] as number) * inner;
      out.set(values.subarray(from, from + inner), at);
    }
  }
  return backend.makeTensorInfo(shape, 'float32', out);
}

export const gatherKernels: NativeKernel[] = [{ kernelName: GatherV2, run: gather }];
