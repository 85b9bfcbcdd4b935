import { convGeometry, sameShape } from '@convkit/backend/adapter';
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
import { type CudaKernel, type CudaKernelArgs, gpu, summedOutput, takesNhwc } from './kernel.js';

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

/**
 * [N, inH, inW, C, outH, outW, multiplier, filterH, filterW, strideH,
 * strideW, dilationH, dilationW, padTop, padLeft]: the convolution geometry's
 * first 15 integers (the direct kernels skip taps outside the input, so they
 * need no padding after), with the channel multiplier in place of the output channels.
 */
function depthwiseGeometry(info: Info): Int32Array | undefined {
  const geometry = convGeometry(info, true)?.slice(0, 15);
  if (geometry) geometry[6] = info.outChannels / info.inChannels;
  return geometry;
}

/**
 * tfjs' cpu gradient kernels ignore dilations (tfjs-core's gradient refuses
 * them), so a dilated call is left to them: the result stays theirs.
 */
const undilated = (info: Info) => info.dilationHeight === 1 && info.dilationWidth === 1;

/** A gradient's geometry, checked against dy; undefined when the kernels decline the call. */
function gradGeometry(
  xShape: readonly number[],
  filterShape: readonly number[],
  dy: TensorInfo,
  attrs: Attrs,
): Int32Array | undefined {
  if (!takesNhwc(dy) || xShape.length !== 4 || filterShape.length !== 4) return undefined;
  const info = depthwiseInfo(xShape, filterShape, attrs);
  if (!info || !undilated(info) || !sameShape(info.outShape, dy.shape)) return undefined;
  return depthwiseGeometry(info);
}

function forward({
  inputs: { x, filter },
  backend,
  attrs,
}: CudaKernelArgs<{ x: TensorInfo; filter: TensorInfo }, DepthwiseConv2dNativeAttrs>) {
  if (!takesNhwc(x) || !takesNhwc(filter)) return undefined;
  const info = depthwiseInfo(x.shape, filter.shape, attrs);
  const geometry = info && depthwiseGeometry(info);
  if (!geometry) return undefined;
  return summedOutput(backend, info.outShape, [filter], (y) =>
    gpu<DepthwiseFunctions>(backend).depthwiseConv2d(y, backend.pointer(x), backend.pointer(filter), geometry),
  );
}

function backpropInput({
  inputs: { dy, filter },
  backend,
  attrs,
}: CudaKernelArgs<{ dy: TensorInfo; filter: TensorInfo }, DepthwiseConv2dNativeBackpropInputAttrs>) {
  const geometry = takesNhwc(filter) ? gradGeometry(attrs.inputShape, filter.shape, dy, attrs) : undefined;
  if (!geometry) return undefined;
  return summedOutput(backend, attrs.inputShape, [dy, filter], (dx) =>
    gpu<DepthwiseFunctions>(backend).depthwiseConv2dBackpropInput(
      dx,
      backend.pointer(dy),
      backend.pointer(filter),
      geometry,
    ),
  );
}

function backpropFilter({
  inputs: { x, dy },
  backend,
  attrs,
}: CudaKernelArgs<{ x: TensorInfo; dy: TensorInfo }, DepthwiseConv2dNativeBackpropFilterAttrs>) {
  const geometry = takesNhwc(x) ? gradGeometry(x.shape, attrs.filterShape, dy, attrs) : undefined;
  if (!geometry) return undefined;
  return summedOutput(backend, attrs.filterShape, [dy, x], (dFilter) =>
    gpu<DepthwiseFunctions>(backend).depthwiseConv2dBackpropFilter(
      dFilter,
      backend.pointer(x),
      backend.pointer(dy),
      geometry,
    ),
  );
}

/** DepthwiseConv2dNative and its two gradients on NHWC float32 tensors. */
export const depthwiseKernels: readonly CudaKernel[] = [
  { kernelName: DepthwiseConv2dNative, run: forward },
  { kernelName: DepthwiseConv2dNativeBackpropInput, run: backpropInput },
  { kernelName: DepthwiseConv2dNativeBackpropFilter, run: backpropFilter },
];
