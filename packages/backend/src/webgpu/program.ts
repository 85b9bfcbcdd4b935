import type { DataType, TensorInfo } from '@tensorflow/tfjs-core';

/**
 * The fields of tfjs-backend-webgpu's `WebGPUProgram` that its
 * `runWebGPUProgram` reads (the type is not exported at runtime). tfjs
 * prepends the bindings (`result`, one array per `variableNames` entry), the
 * shape uniforms (`uniforms.xShape`, `uniforms.outShape`, …) and the
 * `localId`/`workgroupId` globals; `getUserCode` supplies `fn main()`.
 */
export interface GpuProgram {
  variableNames: string[];
  outputShape: number[];
  /** Caches the compiled pipeline: must name every constant baked into the WGSL. */
  shaderKey: string;
  dispatchLayout: { x: number[]; y?: number[]; z?: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  /** Extra uniform fields, in the order of the `uniformData` passed to `runWebGPUProgram`. */
  uniforms?: string;
  /** Adds `uniforms.size` (the output's element count) and calls `main(index)`. */
  size?: boolean;
  getUserCode(): string;
}

export type UniformData = { type: 'int32' | 'float32' | 'uint32'; data: number[] };

/** The part of tfjs' `WebGPUBackend` that convkit's kernels call. */
export interface GpuBackend {
  runWebGPUProgram(
    program: GpuProgram,
    inputs: TensorInfo[],
    outputDtype: DataType,
    uniformData?: UniformData[],
  ): TensorInfo;
  disposeData(dataId: object): boolean;
  device: { limits: { maxComputeWorkgroupsPerDimension: number } };
}
