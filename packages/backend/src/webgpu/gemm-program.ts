// A tiled matrix product in WGSL whose operands are gathered on the fly, the
// engine of convkit's WebGPU convolution kernels (forward, input gradient,
// filter gradient): each is C = A·B with A and B read through loaders that
// map a matrix element to a tensor element, or to 0 in the padding. No
// im2col buffer is written.
//
// A workgroup computes a TM×TN tile of C, 4×4 outputs per invocation held in
// four vec4 accumulators (no dynamically indexed private array, which
// software drivers such as lavapipe spill to memory). Each step stages TK
// inner indices of A and B in workgroup memory. Integer division is what a
// gather costs most (a GPU emulated on a CPU divides lane by lane), so the
// loaders split an index into coordinates once: each row an invocation
// stages is split before the loop (`rowInfo`), each inner index once per
// step into a table in workgroup memory (`innerInfo`). The inner dimension
// can be split across workgroups (`splits`, dispatch z), each writing its own
// partial product; `SumSplitsProgram` adds them. That gives a filter
// gradient (inner = batch × output pixels, tens of thousands; only
// kh·kw·cin × cout outputs) enough workgroups to fill a GPU.
import { narrowMain, tiledMain } from './gemm-wgsl.js';
import type { GpuProgram, UniformData } from './program.js';
import { type GemmDims, type GemmTiling, splitChunk } from './tiling.js';

/**
 * A tiled product whose operands come from WGSL loaders: `rowInfo(row)` and
 * `innerInfo(inner)` split an index into coordinates (vec4<i32>), `mmA(r, k)`
 * reads A at those coordinates and `mmB(k, inner, col)` reads B; they are
 * called only inside the matrix bounds. The output holds `splits` partial
 * products one after the other ([splits, rows, cols] flat; with one split,
 * any shape of rows × cols).
 */
export class GemmProgram implements GpuProgram {
  variableNames: string[];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [0], y: [1], z: [2] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  uniforms: string;
  private readonly tiling: GemmTiling;
  private readonly loaders: string;

  constructor(options: {
    /** Names the loaders in the pipeline cache: one per kind of operand gathering. */
    name: string;
    variableNames: string[];
    /** WGSL declaring the loaders, which may read `uniforms` (the geometry fields below). */
    loaders: string;
    /** Geometry fields the loaders read, declared after dimA, dimB, dimInner and chunk. */
    geometry: string;
    outputShape: number[];
    dims: GemmDims;
    tiling: GemmTiling;
  }) {
    const { tileRows, tileCols, tileInner } = options.tiling;
    this.variableNames = options.variableNames;
    this.outputShape = options.outputShape;
    this.tiling = options.tiling;
    this.loaders = options.loaders;
    this.uniforms = `dimA : i32, dimB : i32, dimInner : i32, chunk : i32, ${options.geometry}`;
    this.workgroupSize = options.tiling.narrow ? [tileRows / 4, 1, 1] : [tileCols / 4, tileRows / 4, 1];
    this.dispatch = [
      Math.ceil(options.dims.cols / tileCols),
      Math.ceil(options.dims.rows / tileRows),
      options.dims.splits,
    ];
    this.shaderKey = `convkitGemm_${options.name}_${tileRows}x${tileCols}x${tileInner}${options.tiling.narrow ? 'n' : ''}`;
  }

  /** The uniform values that go before the geometry's, in the declared order. */
  static dimsUniforms(dims: GemmDims, tiling: GemmTiling): UniformData[] {
    const chunk = splitChunk(dims.inner, dims.splits, tiling);
    return [dims.rows, dims.cols, dims.inner, chunk].map((v) => ({ type: 'int32', data: [v] }));
  }

  getUserCode(): string {
    return `${this.loaders}\n${this.tiling.narrow ? narrowMain(this.tiling) : tiledMain(this.tiling)}`;
  }
}

/** Adds the `splits` partial products that a split GemmProgram wrote: [splits, …shape] → shape. */
export class SumSplitsProgram implements GpuProgram {
  variableNames = ['partial'];
  outputShape: number[];
  shaderKey = 'convkitSumSplits';
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [64, 1, 1];
  uniforms = 'splits : i32,';
  size = true;

  constructor(outputShape: number[]) {
    this.outputShape = outputShape;
    this.dispatchLayout = { x: outputShape.map((_, i) => i) };
    const size = outputShape.reduce((a, b) => a * b, 1);
    this.dispatch = [Math.ceil(size / 64), 1, 1];
  }

  getUserCode(): string {
    return `
  fn main(index : i32) {
    if (index < uniforms.size) {
      var total = 0.0;
      for (var s = 0; s < uniforms.splits; s = s + 1) { total = total + partial[s * uniforms.size + index]; }
      setOutputAtIndex(index, total);
    }
  }`;
  }
}
