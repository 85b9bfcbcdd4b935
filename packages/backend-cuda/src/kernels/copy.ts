import {
  backend_util,
  Cast,
  type CastAttrs,
  Concat,
  type ConcatAttrs,
  type DataType,
  Fill,
  type FillAttrs,
  Identity,
  OnesLike,
  PadV2,
  type PadV2Attrs,
  Reshape,
  type ReshapeAttrs,
  Reverse,
  type ReverseAttrs,
  Slice,
  type SliceAttrs,
  SplitV,
  type SplitVAttrs,
  StridedSlice,
  type StridedSliceAttrs,
  slice_util,
  type TensorInfo,
  Tile,
  type TileAttrs,
  Transpose,
  type TransposeAttrs,
  Unpack,
  type UnpackAttrs,
  util,
  ZerosLike,
} from '@tensorflow/tfjs-core';
import { type CudaBackend, dtypeCode } from '../backend.js';
import type { CudaKernel, CudaKernelArgs } from './kernel.js';
import { sizeOf, stridesOf } from './kernel.js';

// Data movement on the device: every kernel here is a fill, a cast or one
// strided copy per input (native/cuda/copy.cu), or no work at all (Reshape
// and Identity share the input's memory, as tfjs' cpu backend does).

const onDevice = (t: TensorInfo) => t.dtype !== 'string' && t.dtype !== 'complex64';

/**
 * The same box with size-1 dimensions dropped and neighbours merged where
 * both sides walk them as one (a contiguous run): fewer index divisions per
 * element on the GPU, and a plain copy becomes rank 1.
 */
export function mergeBox(
  dims: readonly number[],
  toStrides: readonly number[],
  fromStrides: readonly number[],
): { dims: number[]; toStrides: number[]; fromStrides: number[] } {
  const out = { dims: [] as number[], toStrides: [] as number[], fromStrides: [] as number[] };
  dims.forEach((dim, d) => {
    if (dim === 1) return;
    const last = out.dims.length - 1;
    const to = toStrides[d] as number;
    const from = fromStrides[d] as number;
    if (last >= 0 && out.toStrides[last] === dim * to && out.fromStrides[last] === dim * from) {
      out.dims[last] = (out.dims[last] as number) * dim;
      out.toStrides[last] = to;
      out.fromStrides[last] = from;
      return;
    }
    out.dims.push(dim);
    out.toStrides.push(to);
    out.fromStrides.push(from);
  });
  return out;
}

/** A box of `dims` copied between two arrays (strides and offsets in elements). */
function copyBox(
  backend: CudaBackend,
  to: TensorInfo,
  from: TensorInfo,
  dims: readonly number[],
  toStrides: readonly number[],
  fromStrides: readonly number[],
  toOffset = 0,
  fromOffset = 0,
): void {
  const box = mergeBox(dims, toStrides, fromStrides);
  backend.addon.stridedCopy(
    backend.pointer(to),
    backend.pointer(from),
    Int32Array.from(box.dims),
    Int32Array.from(box.toStrides),
    Int32Array.from(box.fromStrides),
    toOffset,
    fromOffset,
  );
}

/** The same data under another shape: no copy. */
function share(backend: CudaBackend, x: TensorInfo, shape: number[]): TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape, dtype: x.dtype };
}

function filled(backend: CudaBackend, shape: number[], dtype: DataType, value: number): TensorInfo | undefined {
  if (dtype === 'string' || dtype === 'complex64') return undefined;
  const out = backend.makeOutput(shape, dtype);
  backend.addon.fill(backend.pointer(out), sizeOf(shape), value, dtypeCode(dtype));
  return out;
}

/** x[begin : begin + size] along every axis. */
function slice(backend: CudaBackend, x: TensorInfo, begin: readonly number[], size: number[]): TensorInfo {
  const out = backend.makeOutput(size, x.dtype);
  const strides = stridesOf(x.shape);
  const offset = begin.reduce((sum, b, d) => sum + b * (strides[d] as number), 0);
  copyBox(backend, out, x, size, stridesOf(size), strides, 0, offset);
  return out;
}

const reshape: CudaKernel = {
  kernelName: Reshape,
  run: ({ inputs: { x }, backend, attrs }: CudaKernelArgs<{ x: TensorInfo }, ReshapeAttrs>) => {
    const size = util.sizeFromShape(x.shape);
    const shape = util.inferFromImplicitShape(attrs.shape, size);
    util.assert(
      size === util.sizeFromShape(shape),
      () =>
        `The new shape (${shape}) has ${util.sizeFromShape(shape)} elements and the old shape (${x.shape}) has ${size} elements.`,
    );
    return share(backend, x, shape);
  },
};

const identity: CudaKernel = {
  kernelName: Identity,
  run: ({ inputs: { x }, backend }: CudaKernelArgs<{ x: TensorInfo }>) => share(backend, x, x.shape),
};

const cast: CudaKernel = {
  kernelName: Cast,
  run: ({ inputs: { x }, backend, attrs }: CudaKernelArgs<{ x: TensorInfo }, CastAttrs>) => {
    if (!onDevice(x) || attrs.dtype === 'string' || attrs.dtype === 'complex64') return undefined;
    if (x.dtype === attrs.dtype) return share(backend, x, x.shape);
    const out = backend.makeOutput(x.shape, attrs.dtype);
    backend.addon.cast(
      backend.pointer(out),
      backend.pointer(x),
      sizeOf(x.shape),
      dtypeCode(x.dtype),
      dtypeCode(attrs.dtype),
    );
    return out;
  },
};

const fill: CudaKernel = {
  kernelName: Fill,
  run: ({ backend, attrs }: CudaKernelArgs<unknown, FillAttrs>) => {
    if (typeof attrs.value !== 'number') return undefined;
    return filled(backend, attrs.shape, attrs.dtype ?? util.inferDtype(attrs.value), attrs.value);
  },
};

const zerosLike: CudaKernel = {
  kernelName: ZerosLike,
  run: ({ inputs: { x }, backend }: CudaKernelArgs<{ x: TensorInfo }>) => filled(backend, x.shape, x.dtype, 0),
};

const onesLike: CudaKernel = {
  kernelName: OnesLike,
  run: ({ inputs: { x }, backend }: CudaKernelArgs<{ x: TensorInfo }>) => filled(backend, x.shape, x.dtype, 1),
};

const transpose: CudaKernel = {
  kernelName: Transpose,
  run: ({ inputs: { x }, backend, attrs }: CudaKernelArgs<{ x: TensorInfo }, TransposeAttrs>) => {
    if (!onDevice(x) || x.shape.length > 8) return undefined;
    const shape = attrs.perm.map((p) => x.shape[p] as number);
    const out = backend.makeOutput(shape, x.dtype);
    const strides = stridesOf(x.shape);
    copyBox(
      backend,
      out,
      x,
      shape,
      stridesOf(shape),
      attrs.perm.map((p) => strides[p] as number),
    );
    return out;
  },
};

const sliceKernel: CudaKernel = {
  kernelName: Slice,
  run: ({ inputs: { x }, backend, attrs }: CudaKernelArgs<{ x: TensorInfo }, SliceAttrs>) => {
    if (!onDevice(x) || x.shape.length > 8) return undefined;
    const [begin, size] = slice_util.parseSliceParams(x as never, attrs.begin, attrs.size) as [number[], number[]];
    slice_util.assertParamsValid(x as never, begin, size);
    return slice(backend, x, begin, size);
  },
};

const stridedSlice: CudaKernel = {
  kernelName: StridedSlice,
  run: ({ inputs: { x }, backend, attrs }: CudaKernelArgs<{ x: TensorInfo }, StridedSliceAttrs>) => {
    if (!onDevice(x) || x.shape.length > 8) return undefined;
    const { begin, end, strides, beginMask, endMask, ellipsisMask, newAxisMask, shrinkAxisMask } = attrs;
    const info = slice_util.sliceInfo(
      x.shape,
      begin,
      end,
      strides,
      beginMask,
      endMask,
      ellipsisMask,
      newAxisMask,
      shrinkAxisMask,
    );
    if (info.isIdentity) return share(backend, x, info.finalShape);
    // out[i] = x[begin + i·strides] over the dense extent (x's rank), then viewed as the final shape.
    const dims = slice_util.computeOutShape(info.begin, info.end, info.strides);
    const out = backend.makeOutput(info.finalShape, x.dtype);
    if (sizeOf(dims) === 0) return out;
    const xStrides = stridesOf(x.shape);
    const fromStrides = xStrides.map((s, d) => s * (info.strides[d] as number));
    const fromOffset = xStrides.reduce((sum, s, d) => sum + s * (info.begin[d] as number), 0);
    copyBox(backend, out, x, dims, stridesOf(dims), fromStrides, 0, fromOffset);
    return out;
  },
};

const concat: CudaKernel = {
  kernelName: Concat,
  run: ({ inputs, backend, attrs }: CudaKernelArgs<TensorInfo[], ConcatAttrs>) => {
    const first = inputs[0] as TensorInfo;
    if (!inputs.every((t) => onDevice(t) && t.dtype === first.dtype) || first.shape.length > 8) return undefined;
    const axis = util.parseAxisParam(attrs.axis, first.shape)[0] as number;
    const shape = backend_util.computeOutShape(
      inputs.map((t) => t.shape),
      axis,
    );
    const out = backend.makeOutput(shape, first.dtype);
    const strides = stridesOf(shape);
    let offset = 0;
    for (const t of inputs) {
      if (sizeOf(t.shape) > 0)
        copyBox(backend, out, t, t.shape, strides, stridesOf(t.shape), offset * (strides[axis] as number));
      offset += t.shape[axis] as number;
    }
    return out;
  },
};

const pad: CudaKernel = {
  kernelName: PadV2,
  run: ({ inputs: { x }, backend, attrs }: CudaKernelArgs<{ x: TensorInfo }, PadV2Attrs>) => {
    if (!onDevice(x) || x.shape.length > 8) return undefined;
    const shape = x.shape.map((dim, d) => (attrs.paddings[d]?.[0] ?? 0) + dim + (attrs.paddings[d]?.[1] ?? 0));
    const out = filled(backend, shape, x.dtype, attrs.constantValue) as TensorInfo;
    const strides = stridesOf(shape);
    const offset = attrs.paddings.reduce((sum, [before], d) => sum + before * (strides[d] as number), 0);
    if (sizeOf(x.shape) > 0) copyBox(backend, out, x, x.shape, strides, stridesOf(x.shape), offset);
    return out;
  },
};

const reverse: CudaKernel = {
  kernelName: Reverse,
  run: ({ inputs: { x }, backend, attrs }: CudaKernelArgs<{ x: TensorInfo }, ReverseAttrs>) => {
    if (!onDevice(x) || x.shape.length > 8) return undefined;
    const axes = util.parseAxisParam(attrs.dims, x.shape);
    const out = backend.makeOutput(x.shape, x.dtype);
    if (sizeOf(x.shape) === 0) return out;
    const strides = stridesOf(x.shape);
    const fromStrides = strides.map((s, d) => (axes.includes(d) ? -s : s));
    const fromOffset = axes.reduce((sum, d) => sum + ((x.shape[d] as number) - 1) * (strides[d] as number), 0);
    copyBox(backend, out, x, x.shape, strides, fromStrides, 0, fromOffset);
    return out;
  },
};

const tile: CudaKernel = {
  kernelName: Tile,
  run: ({ inputs: { x }, backend, attrs }: CudaKernelArgs<{ x: TensorInfo }, TileAttrs>) => {
    // Out viewed as [reps0, d0, reps1, d1, ...]: the input's strides, 0 along the repetitions.
    if (!onDevice(x) || x.shape.length > 4) return undefined;
    const shape = x.shape.map((dim, d) => dim * (attrs.reps[d] as number));
    const out = backend.makeOutput(shape, x.dtype);
    if (sizeOf(shape) === 0) return out;
    const outStrides = stridesOf(shape);
    const inStrides = stridesOf(x.shape);
    const dims = x.shape.flatMap((dim, d) => [attrs.reps[d] as number, dim]);
    const toStrides = x.shape.flatMap((dim, d) => [dim * (outStrides[d] as number), outStrides[d] as number]);
    const fromStrides = x.shape.flatMap((_, d) => [0, inStrides[d] as number]);
    copyBox(backend, out, x, dims, toStrides, fromStrides);
    return out;
  },
};

const splitV: CudaKernel = {
  kernelName: SplitV,
  run: ({ inputs: { x }, backend, attrs }: CudaKernelArgs<{ x: TensorInfo }, SplitVAttrs>) => {
    if (!onDevice(x) || x.shape.length > 8) return undefined;
    const axis = util.parseAxisParam(attrs.axis, x.shape)[0] as number;
    const sizes = backend_util.prepareSplitSize(x as never, attrs.numOrSizeSplits, axis);
    const begin = new Array<number>(x.shape.length).fill(0);
    return sizes.map((s) => {
      const size = [...x.shape];
      size[axis] = s;
      const out = slice(backend, x, begin, size);
      begin[axis] = (begin[axis] as number) + s;
      return out;
    });
  },
};

const unpack: CudaKernel = {
  kernelName: Unpack,
  run: ({ inputs: { value }, backend, attrs }: CudaKernelArgs<{ value: TensorInfo }, UnpackAttrs>) => {
    if (!onDevice(value) || value.shape.length > 8) return undefined;
    const axis = attrs.axis < 0 ? attrs.axis + value.shape.length : attrs.axis;
    const size = [...value.shape];
    size[axis] = 1;
    const shape = value.shape.filter((_, d) => d !== axis);
    const begin = new Array<number>(value.shape.length).fill(0);
    return Array.from({ length: value.shape[axis] as number }, (_, i) => {
      begin[axis] = i;
      const part = slice(backend, value, begin, size);
      return { ...part, shape };
    });
  },
};

/** Fill, cast, reshape and the copies: transpose, slice, strided slice, concat, pad, reverse, tile, split, unpack. */
export const copyKernels: readonly CudaKernel[] = [
  reshape,
  identity,
  cast,
  fill,
  zerosLike,
  onesLike,
  transpose,
  sliceKernel,
  stridedSlice,
  concat,
  pad,
  reverse,
  tile,
  splitV,
  unpack,
];
