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

const conv2D: KernelFunc = (args) => {
  const { x, filter } = args.inputs as { x: TensorInfo; filter: TensorInfo };
  const backend = args.backend as unknown as GpuBackend;
  const a = args.attrs as unknown as Conv2DAttrs;
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    a.strides,
    a.dilations,
    a.pad,
    a.dimRoundingMode,
  );
  const rows = info.batchSize * info.outHeight * info.outWidth;
  // tfjs' forward product also vectorizes 3 input channels (RGB).
  const vectorized = stockIsVectorized(info.inChannels, info.outChannels, info.outChannels, true);
  if (vectorized || !fitsConvkit(backend, a.dataFormat, rows, info.outChannels)) return stock(Conv2D, args);
  return runGemm(backend, {
    name: 'conv2d',
    loaders: FORWARD_LOADERS,
    inputs: [x, filter],
    variableNames: ['x', 'W'],
    outputShape: info.outShape,
    rows,
    cols: info.outChannels,
    inner: info.filterHeight * info.filterWidth * info.inChannels,
    info,
    split: false,
  });
};

const conv2DBackpropInput: KernelFunc = (args) => {
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const backend = args.backend as unknown as GpuBackend;
  const a = args.attrs as unknown as Conv2DBackpropInputAttrs;
  const info = backend_util.computeConv2DInfo(
    a.inputShape,
    filter.shape as [number, number, number, number],
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
  );
  const rows = info.batchSize * info.inHeight * info.inWidth;
  const vectorized = stockIsVectorized(info.inChannels, info.outChannels, info.inChannels);
  if (vectorized || !fitsConvkit(backend, a.dataFormat, rows, info.inChannels)) {
    return stock(Conv2DBackpropInput, args);
  }
  const unitStride = info.strideHeight === 1 && info.strideWidth === 1;
  return runGemm(backend, {
    name: unitStride ? 'conv2dInputGrad' : 'conv2dInputGradStrided',
    loaders: inputGradLoaders(unitStride),
    inputs: [dy, filter],
    variableNames: ['dy', 'W'],
    outputShape: info.inShape,
    rows,
    cols: info.inChannels,
    inner: info.filterHeight * info.filterWidth * info.outChannels,
    info,
    split: false,
  });
};

const conv2DBackpropFilter: KernelFunc = (args) => {
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const backend = args.backend as unknown as GpuBackend;
  const a = args.attrs as unknown as Conv2DBackpropFilterAttrs;
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    a.filterShape,
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
  );
  const rows = info.filterHeight * info.filterWidth * info.inChannels;
  if (!fitsConvkit(backend, a.dataFormat, rows, info.outChannels)) return stock(Conv2DBackpropFilter, args);
  return runGemm(backend, {
    name: 'conv2dFilterGrad',
    loaders: FILTER_GRAD_LOADERS,
    inputs: [x, dy],
    variableNames: ['x', 'dy'],
    outputShape: [...a.filterShape],
    rows,
    cols: info.outChannels,
    inner: info.batchSize * info.outHeight * info.outWidth,
    info,
    split: true,
  });
};

const config = (kernelName: string, kernelFunc: KernelFunc): KernelConfig => ({
  kernelName,
  backendName: 'webgpu',
  kernelFunc,
});

export const conv2DConfig = config(Conv2D, conv2D);
export const conv2DBackpropInputConfig = config(Conv2DBackpropInput, conv2DBackpropInput);
export const conv2DBackpropFilterConfig = config(Conv2DBackpropFilter, conv2DBackpropFilter);
