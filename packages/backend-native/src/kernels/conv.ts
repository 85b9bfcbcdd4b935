import { convGeometry, convGradInfo, convInfo, type GradAttrs } from '@convkit/backend/adapter';
import {
  Conv2D,
  Conv2DBackpropFilter,
  type Conv2DBackpropFilterAttrs,
  Conv2DBackpropInput,
  type Conv2DBackpropInputAttrs,
  DepthwiseConv2dNative,
  DepthwiseConv2dNativeBackpropFilter,
  type DepthwiseConv2dNativeBackpropFilterAttrs,
  DepthwiseConv2dNativeBackpropInput,
  type DepthwiseConv2dNativeBackpropInputAttrs,
  FusedConv2D,
  type FusedConv2DAttrs,
  FusedDepthwiseConv2D,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { loadAddon } from '../addon.js';
import { ACTIVATIONS, f32, type KernelArgs, type NativeKernel, output, sizeOf, version } from './kernel.js';

// Convolutions through oneDNN (native/conv.cc). tfjs describes the geometry
// with computeConv2DInfo; @convkit/backend/adapter turns it into the addon's
// 18 integers, the same ones the CUDA kernels read.

interface ForwardInputs {
  x: TensorInfo;
  filter: TensorInfo;
  bias?: TensorInfo;
  preluActivationWeights?: TensorInfo;
}

/** Conv2D and depthwise, plain or fused with a bias and an activation. */
function forward(depthwise: boolean) {
  return ({ inputs, backend, attrs }: KernelArgs<ForwardInputs, Partial<FusedConv2DAttrs>>) => {
    const { x, filter, bias, preluActivationWeights } = inputs;
    const activation = ACTIVATIONS[attrs.activation ?? 'linear'];
    if (activation === undefined || preluActivationWeights) return undefined;
    const xValues = f32(backend, x);
    const filterValues = f32(backend, filter);
    const biasValues = bias ? f32(backend, bias) : null;
    if (!xValues || !filterValues || biasValues === undefined) return undefined;
    const info = convInfo(x.shape, filter.shape, attrs as GradAttrs, attrs.dilations ?? 1, depthwise);
    if (biasValues && biasValues.length !== info.outChannels) return undefined;
    const geometry = convGeometry(info, depthwise);
    if (!geometry) return undefined;
    const y = output(backend, sizeOf(info.outShape));
    const alpha = attrs.leakyreluAlpha ?? 0.2;
    const filterVersion = version(backend, filterValues);
    if (!loadAddon().conv2d(xValues, filterValues, biasValues, y, geometry, activation, alpha, filterVersion)) {
      return undefined;
    }
    return backend.makeTensorInfo(info.outShape, 'float32', y);
  };
}

type InputGradAttrs = GradAttrs & Partial<Conv2DBackpropInputAttrs & DepthwiseConv2dNativeBackpropInputAttrs>;

function inputGrad(depthwise: boolean) {
  return ({ inputs, backend, attrs }: KernelArgs<{ dy: TensorInfo; filter: TensorInfo }, InputGradAttrs>) => {
    const { dy, filter } = inputs;
    const dyValues = f32(backend, dy);
    const filterValues = f32(backend, filter);
    if (!dyValues || !filterValues || !attrs.inputShape) return undefined;
    const info = convGradInfo(attrs.inputShape, filter.shape, dy.shape, attrs, depthwise);
    const geometry = info && convGeometry(info, depthwise);
    if (!geometry) return undefined;
    const dx = output(backend, sizeOf(info.inShape));
    if (!loadAddon().conv2dBackpropInput(dyValues, filterValues, dx, geometry, version(backend, filterValues))) {
      return undefined;
    }
    return backend.makeTensorInfo(info.inShape, 'float32', dx);
  };
}

type FilterGradAttrs = GradAttrs & Partial<Conv2DBackpropFilterAttrs & DepthwiseConv2dNativeBackpropFilterAttrs>;

function filterGrad(depthwise: boolean) {
  return ({ inputs, backend, attrs }: KernelArgs<{ x: TensorInfo; dy: TensorInfo }, FilterGradAttrs>) => {
    const { x, dy } = inputs;
    const xValues = f32(backend, x);
    const dyValues = f32(backend, dy);
    if (!xValues || !dyValues || !attrs.filterShape) return undefined;
    const info = convGradInfo(x.shape, attrs.filterShape, dy.shape, attrs, depthwise);
    const geometry = info && convGeometry(info, depthwise);
    if (!geometry) return undefined;
    const dw = output(backend, sizeOf(info.filterShape));
    if (!loadAddon().conv2dBackpropFilter(xValues, dyValues, dw, geometry)) return undefined;
    return backend.makeTensorInfo(info.filterShape, 'float32', dw);
  };
}

export const convKernels: NativeKernel[] = [
  { kernelName: Conv2D, run: forward(false) },
  { kernelName: FusedConv2D, run: forward(false) },
  { kernelName: Conv2DBackpropInput, run: inputGrad(false) },
  { kernelName: Conv2DBackpropFilter, run: filterGrad(false) },
  { kernelName: DepthwiseConv2dNative, run: forward(true) },
  { kernelName: FusedDepthwiseConv2D, run: forward(true) },
  { kernelName: DepthwiseConv2dNativeBackpropInput, run: inputGrad(true) },
  { kernelName: DepthwiseConv2dNativeBackpropFilter, run: filterGrad(true) },
];
