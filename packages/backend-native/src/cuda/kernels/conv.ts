import {
  backend_util,
  Conv2D,
  type Conv2DAttrs,
  Conv2DBackpropFilter,
  type Conv2DBackpropFilterAttrs,
  Conv2DBackpropInput,
  type Conv2DBackpropInputAttrs,
  FusedConv2D,
  type FusedConv2DAttrs,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { convGeometry } from '../../kernels/conv.js';
import { type CudaKernel, type CudaKernelArgs, gpu, sizeOf } from './kernel.js';
import { activationCode, biasStride, gemmPlan } from './matmul.js';

// Convolutions as implicit GEMMs on convkit's SGEMM core (native/cuda/conv.cu):
// NHWC input, HWIO filter, no im2col buffer. The geometry is tfjs'
// Conv2DInfo, passed as the oneDNN backend's 18 integers (convGeometry).

/** The addon functions of native/cuda/conv_bindings.cc; geometry is convGeometry()'s. */
export interface ConvFunctions {
  conv2d(
    x: number,
    filter: number,
    y: number,
    geometry: Int32Array,
    bias: number | null,
    biasStride: number,
    activation: number,
    alpha: number,
    tile?: number,
    splits?: number,
  ): void;
  conv2dBackpropInput(
    dy: number,
    filter: number,
    dx: number,
    geometry: Int32Array,
    tile?: number,
    splits?: number,
  ): void;
  conv2dBackpropFilter(x: number, dy: number, dw: number, geometry: Int32Array, tile?: number, splits?: number): void;
}

type Shape4 = [number, number, number, number];
type Info = backend_util.Conv2DInfo;
type GeometryAttrs = Pick<Conv2DAttrs, 'strides' | 'pad'> & {
  dataFormat?: 'NHWC' | 'NCHW';
  dilations?: Conv2DAttrs['dilations'];
  dimRoundingMode?: Conv2DAttrs['dimRoundingMode'] | undefined;
};

function convInfo(xShape: readonly number[], filterShape: readonly number[], attrs: GeometryAttrs): Info {
  return backend_util.computeConv2DInfo(
    xShape as Shape4,
    filterShape as Shape4,
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    backend_util.convertConv2DDataFormat(attrs.dataFormat ?? 'NHWC'),
  );
}

const sameShape = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((dim, i) => dim === b[i]);

/**
 * The geometry of a gradient kernel, checked against dy (the logic of
 * src/kernels/conv.ts' gradInfo, which is not exported): tfjs-core's Conv2D
 * gradient drops `dimRoundingMode`, so with a numeric pad and 'ceil' or
 * 'round' the attributes describe another output size than the forward made;
 * the rounding that reproduces dy's shape is the one the forward used.
 */
function gradInfo(
  xShape: readonly number[],
  filterShape: readonly number[],
  dyShape: readonly number[],
  attrs: GeometryAttrs,
): Info | undefined {
  for (const dimRoundingMode of [attrs.dimRoundingMode, 'floor', 'ceil', 'round'] as const) {
    const info = convInfo(xShape, filterShape, { ...attrs, dimRoundingMode });
    if (sameShape(info.outShape, dyShape)) return info;
    if (typeof attrs.pad !== 'number') return undefined; // only a numeric pad takes a rounding mode
  }
  return undefined;
}

interface ForwardInputs {
  x: TensorInfo;
  filter: TensorInfo;
  bias?: TensorInfo;
  preluActivationWeights?: TensorInfo;
}

/** Conv2D and FusedConv2D (bias and every activation but prelu); NCHW is declined. */
function forward({
  inputs,
  backend,
  attrs,
}: CudaKernelArgs<ForwardInputs, Conv2DAttrs & Partial<FusedConv2DAttrs>>): TensorInfo | undefined {
  const { x, filter, bias, preluActivationWeights } = inputs;
  const activation = activationCode(attrs.activation);
  if (activation === undefined || preluActivationWeights) return undefined;
  if (x.dtype !== 'float32' || filter.dtype !== 'float32' || x.shape.length !== 4 || filter.shape.length !== 4) {
    return undefined;
  }
  const info = convInfo(x.shape, filter.shape, attrs);
  const geometry = convGeometry(info, false);
  if (!geometry) return undefined;
  const stride = biasStride(bias, info.outShape);
  if (stride === undefined) return undefined;
  const y = backend.makeOutput(info.outShape, 'float32');
  if (sizeOf(info.outShape) === 0) return y;
  gpu<ConvFunctions>(backend).conv2d(
    backend.pointer(x),
    backend.pointer(filter),
    backend.pointer(y),
    geometry,
    bias ? backend.pointer(bias) : null,
    stride,
    activation,
    attrs.leakyreluAlpha ?? 0.2,
    gemmPlan.tile,
    gemmPlan.splits,
  );
  return y;
}

type InputGradAttrs = GeometryAttrs & Pick<Conv2DBackpropInputAttrs, 'inputShape'>;

/** Conv2DBackpropInput (also conv2dTranspose's kernel). */
function inputGrad({
  inputs: { dy, filter },
  backend,
  attrs,
}: CudaKernelArgs<{ dy: TensorInfo; filter: TensorInfo }, InputGradAttrs>): TensorInfo | undefined {
  if (dy.dtype !== 'float32' || filter.dtype !== 'float32' || !attrs.inputShape) return undefined;
  if (dy.shape.length !== 4 || filter.shape.length !== 4) return undefined;
  const info = gradInfo(attrs.inputShape, filter.shape, dy.shape, attrs);
  const geometry = info && convGeometry(info, false);
  if (!info || !geometry) return undefined;
  const dx = backend.makeOutput(info.inShape, 'float32');
  if (sizeOf(info.inShape) === 0) return dx;
  gpu<ConvFunctions>(backend).conv2dBackpropInput(
    backend.pointer(dy),
    backend.pointer(filter),
    backend.pointer(dx),
    geometry,
    gemmPlan.tile,
    gemmPlan.splits,
  );
  return dx;
}

type FilterGradAttrs = GeometryAttrs & Pick<Conv2DBackpropFilterAttrs, 'filterShape'>;

function filterGrad({
  inputs: { x, dy },
  backend,
  attrs,
}: CudaKernelArgs<{ x: TensorInfo; dy: TensorInfo }, FilterGradAttrs>): TensorInfo | undefined {
  if (x.dtype !== 'float32' || dy.dtype !== 'float32' || !attrs.filterShape) return undefined;
  if (x.shape.length !== 4 || dy.shape.length !== 4) return undefined;
  const info = gradInfo(x.shape, attrs.filterShape, dy.shape, attrs);
  const geometry = info && convGeometry(info, false);
  if (!info || !geometry) return undefined;
  const dw = backend.makeOutput(info.filterShape, 'float32');
  if (sizeOf(info.filterShape) === 0) return dw;
  gpu<ConvFunctions>(backend).conv2dBackpropFilter(
    backend.pointer(x),
    backend.pointer(dy),
    backend.pointer(dw),
    geometry,
    gemmPlan.tile,
    gemmPlan.splits,
  );
  return dw;
}

/** Conv2D, FusedConv2D and both gradients, as implicit GEMMs (NHWC; NCHW and prelu go to the cpu). */
export const convKernels: readonly CudaKernel[] = [
  { kernelName: Conv2D, run: forward },
  { kernelName: FusedConv2D, run: forward },
  { kernelName: Conv2DBackpropInput, run: inputGrad },
  { kernelName: Conv2DBackpropFilter, run: filterGrad },
];
