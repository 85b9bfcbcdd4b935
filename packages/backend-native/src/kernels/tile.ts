import { type TensorInfo, Tile, type TileAttrs } from '@tensorflow/tfjs-core';
import { f32, type KernelArgs, type NativeKernel, output, sizeOf } from './kernel.js';

/**
 * `out = tile(x, reps)` for float32, by block copies instead of tfjs-cpu's
 * index arithmetic per element: each axis writes its first copy from the
 * axis below, then repeats that block with `copyWithin`. tfjs' batch norm
 * gradient tiles `[1, 1, 1, C]` to `[N, H, W, 1]` every training step, and on
 * the cpu fallback that Tile cost about as much as all the convolutions.
 */
export function tileInto(x: Float32Array, shape: readonly number[], reps: readonly number[], out: Float32Array): void {
  const rank = shape.length;
  const inStride = new Array<number>(rank + 1).fill(1);
  const outBlock = new Array<number>(rank + 1).fill(1);
  for (let axis = rank - 1; axis >= 0; axis--) {
    inStride[axis] = (inStride[axis + 1] as number) * (shape[axis] as number);
    outBlock[axis] = (outBlock[axis + 1] as number) * (shape[axis] as number) * (reps[axis] as number);
  }
  const fill = (axis: number, from: number, to: number): void => {
    const size = shape[axis] as number;
    const inner = outBlock[axis + 1] as number;
    if (axis === rank - 1) out.set(x.subarray(from, from + size), to);
    else for (let i = 0; i < size; i++) fill(axis + 1, from + i * (inStride[axis + 1] as number), to + i * inner);
    const once = size * inner;
    for (let r = 1; r < (reps[axis] as number); r++) out.copyWithin(to + r * once, to, to + once);
  };
  if (rank === 0) out[0] = x[0] as number;
  else fill(0, 0, 0);
}

function tile({ inputs, backend, attrs }: KernelArgs<{ x: TensorInfo }, TileAttrs>) {
  const x = f32(backend, inputs.x);
  if (!x || x.length === 0) return undefined;
  const { shape } = inputs.x;
  const outShape = shape.map((size, axis) => size * (attrs.reps[axis] as number));
  const out = output(backend, sizeOf(outShape));
  tileInto(x, shape, attrs.reps, out);
  return backend.makeTensorInfo(outShape, 'float32', out);
}

export const tileKernels: NativeKernel[] = [{ kernelName: Tile, run: tile }];
