import { PadV2, type PadV2Attrs, Slice, type SliceAttrs, slice_util, type TensorInfo } from '@tensorflow/tfjs-core';
import { f32, type KernelArgs, type NativeKernel, output, sizeOf } from './kernel.js';

// Slice and PadV2 by row copies. On the cpu fallback a slice that is not one
// contiguous block costs tfjs-cpu index arithmetic per element: ResNet's
// option-A shortcut (every other pixel, then channels padded) made those two
// kernels over half of a ResNet-20 training step.

/** Row-major strides of `shape`. */
function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length).fill(1);
  for (let axis = shape.length - 2; axis >= 0; axis--) {
    strides[axis] = (strides[axis + 1] as number) * (shape[axis + 1] as number);
  }
  return strides;
}

/**
 * Copies the box of `size` at `srcBegin` in `src` (shape `srcShape`) to
 * `dstBegin` in `dst` (shape `dstShape`), one innermost row at a time.
 */
export function copyBox(
  src: Float32Array,
  srcShape: readonly number[],
  srcBegin: readonly number[],
  dst: Float32Array,
  dstShape: readonly number[],
  dstBegin: readonly number[],
  size: readonly number[],
): void {
  if (size.some((s) => s === 0)) return;
  const rank = size.length;
  if (rank === 0) {
    dst[0] = src[0] as number;
    return;
  }
  // Rows run as far as both sides are contiguous: trailing axes the box spans whole on both sides join the row.
  let rowAxis = rank - 1;
  while (rowAxis > 0 && size[rowAxis] === srcShape[rowAxis] && size[rowAxis] === dstShape[rowAxis]) rowAxis--;
  const srcStride = stridesOf(srcShape);
  const dstStride = stridesOf(dstShape);
  const row = (size[rowAxis] as number) * (srcStride[rowAxis] as number);
  const start = (begin: readonly number[], strides: number[]) =>
    begin.reduce((sum, b, axis) => sum + b * (strides[axis] as number), 0);
  const walk = (axis: number, s: number, d: number): void => {
    if (axis === rowAxis) {
      dst.set(src.subarray(s, s + row), d);
      return;
    }
    for (let i = 0; i < (size[axis] as number); i++) {
      walk(axis + 1, s + i * (srcStride[axis] as number), d + i * (dstStride[axis] as number));
    }
  };
  walk(0, start(srcBegin, srcStride), start(dstBegin, dstStride));
}

function slice({ inputs, backend, attrs }: KernelArgs<{ x: TensorInfo }, SliceAttrs>) {
  const x = f32(backend, inputs.x);
  if (!x) return undefined;
  const [begin, size] = slice_util.parseSliceParams(inputs.x, attrs.begin, attrs.size) as [number[], number[]];
  slice_util.assertParamsValid(inputs.x, begin, size);
  const out = output(backend, sizeOf(size));
  copyBox(x, inputs.x.shape, begin, out, size, new Array(size.length).fill(0), size);
  return backend.makeTensorInfo(size, 'float32', out);
}

function pad({ inputs, backend, attrs }: KernelArgs<{ x: TensorInfo }, PadV2Attrs>) {
  const x = f32(backend, inputs.x);
  if (!x) return undefined;
  const { shape } = inputs.x;
  const outShape = shape.map((s, axis) => (attrs.paddings[axis]?.[0] ?? 0) + s + (attrs.paddings[axis]?.[1] ?? 0));
  const out = output(backend, sizeOf(outShape));
  out.fill(attrs.constantValue);
  const before = attrs.paddings.map((p) => p[0]);
  copyBox(x, shape, new Array(shape.length).fill(0), out, outShape, before, shape);
  return backend.makeTensorInfo(outShape, 'float32', out);
}

export const slicePadKernels: NativeKernel[] = [
  { kernelName: Slice, run: slice },
  { kernelName: PadV2, run: pad },
];
