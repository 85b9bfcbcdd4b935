import { convGeometry, convGradInfo, type GradAttrs, convInfo as nativeConvInfo } from '@convkit/backend/adapter';
import {
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

type GeometryAttrs = GradAttrs;

const convInfo = (xShape: readonly number[], filterShape: readonly number[], attrs: GeometryAttrs) =>
  nativeConvInfo(xShape, filterShape, attrs, attrs.dilations ?? 1, false);

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
  const { x, filter, bias } = inputs;
  const activation = activationCode(attrs, inputs);
  if (activation === undefined) return undefined;
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
  const info = convGradInfo(attrs.inputShape, filter.shape, dy.shape, attrs, false);
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
  const info = convGradInfo(x.shape, attrs.filterShape, dy.shape, attrs, false);
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
