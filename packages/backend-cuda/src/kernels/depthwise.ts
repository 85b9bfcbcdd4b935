import { sameShape } from '@convkit/backend/adapter';
import {
  backend_util,
  DepthwiseConv2dNative,
  type DepthwiseConv2dNativeAttrs,
  DepthwiseConv2dNativeBackpropFilter,
  type DepthwiseConv2dNativeBackpropFilterAttrs,
  DepthwiseConv2dNativeBackpropInput,
  type DepthwiseConv2dNativeBackpropInputAttrs,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { CudaBackend } from '../backend.js';
import { type CudaKernel, type CudaKernelArgs, gpu, sizeOf } from './kernel.js';

// Depthwise 2-D convolution of NHWC float32 tensors and its gradients
// (native/cuda/depthwise.cu): direct kernels, tfjs' geometry
// (backend_util.computeConv2DInfo) and tfjs' cpu semantics.

/** The addon's depthwise functions; `geometry` is {@link depthwiseGeometry}'s 15 integers. */
interface DepthwiseFunctions {
  depthwiseConv2d(y: number, x: number, filter: number, geometry: Int32Array): void;
  depthwiseConv2dBackpropInput(dx: number, dy: number, filter: number, geometry: Int32Array): void;
  depthwiseConv2dBackpropFilter(dFilter: number, x: number, dy: number, geometry: Int32Array): void;
}

type Shape4 = [number, number, number, number];
type Info = backend_util.Conv2DInfo;
type Attrs = Pick<DepthwiseConv2dNativeAttrs, 'strides' | 'pad' | 'dilations'> & {
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: DepthwiseConv2dNativeAttrs['dimRoundingMode'] | undefined;
};

const takes = (t: TensorInfo) => t.dtype === 'float32' && t.shape.length === 4;

function depthwiseInfo(xShape: readonly number[], filterShape: readonly number[], attrs: Attrs): Info | undefined {
  if ((attrs.dataFormat ?? 'NHWC') !== 'NHWC' || xShape[3] !== filterShape[2]) return undefined;
  return backend_util.computeConv2DInfo(
    xShape as Shape4,
    filterShape as Shape4,
    attrs.strides,
    attrs.dilations ?? [1, 1],
    attrs.pad,
    attrs.dimRoundingMode,
    true,
  );
}

/** [N, inH, inW, C, outH, outW, multiplier, filterH, filterW, strideH, strideW, dilationH, dilationW, padTop, padLeft]. */
function depthwiseGeometry(info: Info): Int32Array | undefined {
  if (info.dataFormat !== 'channelsLast' || info.padInfo.top < 0 || info.padInfo.left < 0) return undefined;
  return Int32Array.from([
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.outChannels / info.inChannels,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.dilationHeight,
    info.dilationWidth,
    info.padInfo.top,
    info.padInfo.left,
  ]);
}

/**
 * tfjs' cpu gradient kernels ignore dilations (tfjs-core's gradient refuses
 * them), so a dilated call is left to them: the result stays theirs.
 */
const undilated = (info: Info) => info.dilationHeight === 1 && info.dilationWidth === 1;

/** A float32 output of zeros (a gradient with nothing to sum). */
function zeros(backend: CudaBackend, shape: number[]): TensorInfo {
  const out = backend.makeOutput(shape, 'float32');
  if (sizeOf(shape) > 0) backend.addon.fill(backend.pointer(out), sizeOf(shape), 0, 0);
  return out;
}

function forward({
  inputs: { x, filter },
  backend,
  attrs,
}: CudaKernelArgs<{ x: TensorInfo; filter: TensorInfo }, DepthwiseConv2dNativeAttrs>) {
  if (!takes(x) || !takes(filter)) return undefined;
  const info = depthwiseInfo(x.shape, filter.shape, attrs);
  const geometry = info && depthwiseGeometry(info);
  if (!geometry) return undefined;
  if (sizeOf(info.outShape) === 0) return backend.makeOutput(info.outShape, 'float32');
  if (sizeOf(filter.shape) === 0) return zeros(backend, info.outShape);
  const y = backend.makeOutput(info.outShape, 'float32');
  gpu<DepthwiseFunctions>(backend).depthwiseConv2d(
    backend.pointer(y),
    backend.pointer(x),
    backend.pointer(filter),
    geometry,
  );
  return y;
}

function backpropInput({
  inputs: { dy, filter },
  backend,
  attrs,
}: CudaKernelArgs<{ dy: TensorInfo; filter: TensorInfo }, DepthwiseConv2dNativeBackpropInputAttrs>) {
  if (!takes(dy) || !takes(filter) || attrs.inputShape.length !== 4) return undefined;
  const info = depthwiseInfo(attrs.inputShape, filter.shape, attrs);
  if (!info || !undilated(info) || !sameShape(info.outShape, dy.shape)) return undefined;
  const geometry = depthwiseGeometry(info);
  if (!geometry) return undefined;
  const shape = [...attrs.inputShape];
  if (sizeOf(shape) === 0) return backend.makeOutput(shape, 'float32');
  if (sizeOf(dy.shape) === 0 || sizeOf(filter.shape) === 0) return zeros(backend, shape);
  const dx = backend.makeOutput(shape, 'float32');
  gpu<DepthwiseFunctions>(backend).depthwiseConv2dBackpropInput(
    backend.pointer(dx),
    backend.pointer(dy),
    backend.pointer(filter),
    geometry,
  );
  return dx;
}

function backpropFilter({
  inputs: { x, dy },
  backend,
  attrs,
}: CudaKernelArgs<{ x: TensorInfo; dy: TensorInfo }, DepthwiseConv2dNativeBackpropFilterAttrs>) {
  if (!takes(x) || !takes(dy) || attrs.filterShape.length !== 4) return undefined;
  const info = depthwiseInfo(x.shape, attrs.filterShape, attrs);
  if (!info || !undilated(info) || !sameShape(info.outShape, dy.shape)) return undefined;
  const geometry = depthwiseGeometry(info);
  if (!geometry) return undefined;
  const shape = [...attrs.filterShape];
  if (sizeOf(shape) === 0) return backend.makeOutput(shape, 'float32');
  if (sizeOf(dy.shape) === 0 || sizeOf(x.shape) === 0) return zeros(backend, shape);
  const dFilter = backend.makeOutput(shape, 'float32');
  gpu<DepthwiseFunctions>(backend).depthwiseConv2dBackpropFilter(
    backend.pointer(dFilter),
    backend.pointer(x),
    backend.pointer(dy),
    geometry,
  );
  return dFilter;
}

/** DepthwiseConv2dNative and its two gradients on NHWC float32 tensors. */
export const depthwiseKernels: readonly CudaKernel[] = [
  { kernelName: DepthwiseConv2dNative, run: forward },
  { kernelName: DepthwiseConv2dNativeBackpropInput, run: backpropInput },
  { kernelName: DepthwiseConv2dNativeBackpropFilter, run: backpropFilter },
];
