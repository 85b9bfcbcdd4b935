// convkit's Conv2D, Conv2DBackpropInput and Conv2DBackpropFilter for tfjs'
// webgpu backend: one tiled, gathered matrix product each (gemm-program.ts).
//
// tfjs' own filter gradient gives one invocation per filter element, each
// looping over the whole batch (150 invocations for LeNet-5's first layer);
// convkit's splits that loop across workgroups and wins on every layer
// measured but the smallest (see the backend README). tfjs' forward and
// input-gradient products are good when channels are wide and multiples of
// 4 (it reads 4 channels at a time); with few or odd channels they tile 32
// channels where a layer has 6 or 16, and convkit's narrow tiles are 1.1× to
// 30× faster there (LeNet-5 on lavapipe). So convkit takes those cases and
// hands wide ones, NCHW, and products too large for one dispatch to tfjs.
import {
  backend_util,
  Conv2D,
  type Conv2DAttrs,
  Conv2DBackpropFilter,
  type Conv2DBackpropFilterAttrs,
  Conv2DBackpropInput,
  type Conv2DBackpropInputAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { stockKernel } from '../kernels.js';
import {
  CONV_GEOMETRY,
  convGeometryUniforms,
  FILTER_GRAD_LOADERS,
  FORWARD_LOADERS,
  inputGradLoaders,
} from './conv-loaders.js';
import { GemmProgram, SumSplitsProgram } from './gemm-program.js';
import type { GpuBackend } from './program.js';
import { chooseSplits, chooseTiling, type GemmDims } from './tiling.js';

type ConvInfo = backend_util.Conv2DInfo;

interface GemmCall {
  name: string;
  loaders: string;
  inputs: TensorInfo[];
  variableNames: string[];
  outputShape: number[];
  rows: number;
  cols: number;
  inner: number;
  info: ConvInfo;
  /** Split the inner dimension when the product has few tiles (the filter gradient). */
  split: boolean;
}

/** Runs a gathered product, and adds its split parts when there are several. */
function runGemm(backend: GpuBackend, call: GemmCall): TensorInfo {
  const tiling = chooseTiling(call.rows, call.cols);
  const base = { rows: call.rows, cols: call.cols, inner: call.inner };
  const dims: GemmDims = { ...base, splits: call.split ? chooseSplits(base, tiling) : 1 };
  const outputShape = dims.splits === 1 ? call.outputShape : [dims.splits, call.rows, call.cols];
  const program = new GemmProgram({
    name: call.name,
    variableNames: call.variableNames,
    loaders: call.loaders,
    geometry: CONV_GEOMETRY,
    outputShape,
    dims,
    tiling,
  });
  const uniforms = [...GemmProgram.dimsUniforms(dims, tiling), ...convGeometryUniforms(call.info)];
  const product = backend.runWebGPUProgram(program, call.inputs, 'float32', uniforms);
  if (dims.splits === 1) return product;
  const sum = backend.runWebGPUProgram(new SumSplitsProgram(call.outputShape), [product], 'float32', [
    { type: 'int32', data: [dims.splits] },
  ]);
  backend.disposeData(product.dataId);
  return sum;
}

/**
 * Where tfjs' product reads 4 channels at a time and the output is wide,
 * its kernel is the faster one (AlexNet's conv2–5 on lavapipe: 1.3–2×).
 */
function stockIsVectorized(inChannels: number, outChannels: number, wide: number, inRemainder3 = false): boolean {
  const inVec = inChannels % 4 === 0 || (inRemainder3 && inChannels % 3 === 0);
  return inVec && outChannels % 4 === 0 && wide > 16;
}

/** tfjs' kernel where convkit's does not apply: NCHW, or more row tiles than one dispatch holds. */
function fitsConvkit(backend: GpuBackend, dataFormat: string | undefined, rows: number, cols: number): boolean {
  const limit = backend.device.limits.maxComputeWorkgroupsPerDimension;
  const tiling = chooseTiling(rows, cols);
  return dataFormat !== 'NCHW' && Math.ceil(rows / tiling.tileRows) <= limit;
}

function stock(kernelName: string, args: Parameters<KernelFunc>[0]): TensorInfo {
  const original = stockKernel('webgpu', kernelName);
  if (!original) throw new Error(`convkit webgpu: no tfjs ${kernelName} kernel to fall back on`);
  return original.kernelFunc(args) as TensorInfo;
}

/** What a kernel asks for: its geometry, the product to run, and whether tfjs' kernel is the better one. */
interface ConvPlan {
  info: ConvInfo;
  dataFormat: string | undefined;
  preferStock: boolean;
  product: Omit<GemmCall, 'info'>;
}

/** A webgpu kernel that runs its plan's product, or tfjs' kernel where that fits better. */
function convKernel(kernelName: string, plan: (args: Parameters<KernelFunc>[0]) => ConvPlan): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const backend = args.backend as unknown as GpuBackend;
    const p = plan(args);
    if (p.preferStock || !fitsConvkit(backend, p.dataFormat, p.product.rows, p.product.cols)) {
      return stock(kernelName, args);
    }
    return runGemm(backend, { ...p.product, info: p.info });
  };
  return { kernelName, backendName: 'webgpu', kernelFunc };
}

type Shape4 = [number, number, number, number];

export const conv2DConfig = convKernel(Conv2D, (args) => {
  const { x, filter } = args.inputs as { x: TensorInfo; filter: TensorInfo };
  const a = args.attrs as unknown as Conv2DAttrs;
  const info = backend_util.computeConv2DInfo(
    x.shape as Shape4,
    filter.shape as Shape4,
    a.strides,
    a.dilations,
    a.pad,
    a.dimRoundingMode,
  );
  return {
    info,
    dataFormat: a.dataFormat,
    // tfjs' forward product also vectorizes 3 input channels (RGB).
    preferStock: stockIsVectorized(info.inChannels, info.outChannels, info.outChannels, true),
    product: {
      name: 'conv2d',
      loaders: FORWARD_LOADERS,
      inputs: [x, filter],
      variableNames: ['x', 'W'],
      outputShape: info.outShape,
      rows: info.batchSize * info.outHeight * info.outWidth,
      cols: info.outChannels,
      inner: info.filterHeight * info.filterWidth * info.inChannels,
      split: false,
    },
  };
});

export const conv2DBackpropInputConfig = convKernel(Conv2DBackpropInput, (args) => {
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const a = args.attrs as unknown as Conv2DBackpropInputAttrs;
  const info = backend_util.computeConv2DInfo(
    a.inputShape,
    filter.shape as Shape4,
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
  );
  const unitStride = info.strideHeight === 1 && info.strideWidth === 1;
  return {
    info,
    dataFormat: a.dataFormat,
    preferStock: stockIsVectorized(info.inChannels, info.outChannels, info.inChannels),
    product: {
      name: unitStride ? 'conv2dInputGrad' : 'conv2dInputGradStrided',
      loaders: inputGradLoaders(unitStride),
      inputs: [dy, filter],
      variableNames: ['dy', 'W'],
      outputShape: info.inShape,
      rows: info.batchSize * info.inHeight * info.inWidth,
      cols: info.inChannels,
      inner: info.filterHeight * info.filterWidth * info.outChannels,
      split: false,
    },
  };
});

export const conv2DBackpropFilterConfig = convKernel(Conv2DBackpropFilter, (args) => {
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const a = args.attrs as unknown as Conv2DBackpropFilterAttrs;
  const info = backend_util.computeConv2DInfo(x.shape as Shape4, a.filterShape, a.strides, 1, a.pad, a.dimRoundingMode);
  return {
    info,
    dataFormat: a.dataFormat,
    preferStock: false,
    product: {
      name: 'conv2dFilterGrad',
      loaders: FILTER_GRAD_LOADERS,
      inputs: [x, dy],
      variableNames: ['x', 'dy'],
      outputShape: [...a.filterShape],
      rows: info.filterHeight * info.filterWidth * info.inChannels,
      cols: info.outChannels,
      inner: info.batchSize * info.outHeight * info.outWidth,
      split: true,
    },
  };
});
