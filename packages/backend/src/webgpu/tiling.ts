// How convkit's WebGPU matrix products (gemm-program.ts) are tiled and split.

/** How C = A·B is tiled: rows per tile (TM), columns per tile (TN), inner step (TK). */
export interface GemmTiling {
  tileRows: number;
  tileCols: number;
  tileInner: number;
  /**
   * At most 8 columns: each invocation gathers its own 4 rows of A straight
   * from memory (an A element serves only 8 columns, too few to be worth
   * staging) and computes them against all 8 columns of B.
   */
  narrow?: boolean;
}

/** The matrix sizes, and how many parts the inner dimension is split into. */
export interface GemmDims {
  rows: number;
  cols: number;
  inner: number;
  splits: number;
}

/** Invocations in a workgroup: one per 4×4 block of the tile. */
export function invocations(t: GemmTiling): number {
  return t.narrow ? t.tileRows / 4 : (t.tileRows * t.tileCols) / 16;
}

/**
 * Tiles that waste little on a narrow product: 6 output channels get
 * 8-column tiles, not 32-column ones that would compute 26 columns of
 * nothing; up to 1024 outputs per tile, fewer rows when there are few
 * (LeNet-5's first filter gradient has 25).
 */
export function chooseTiling(rows: number, cols: number): GemmTiling {
  if (cols <= 8 && rows >= 128) return { tileCols: 8, tileRows: 256, tileInner: 16, narrow: true };
  const tileCols = cols <= 8 ? 8 : cols <= 16 ? 16 : 32;
  let tileRows = 1024 / tileCols;
  while (tileRows > 32 && tileRows / 2 >= rows) tileRows /= 2;
  return { tileCols, tileRows, tileInner: 16 };
}

/**
 * How many parts to split the inner dimension into: enough workgroups in all
 * (about 256) while each part still runs at least 256 inner steps.
 */
export function chooseSplits(dims: Omit<GemmDims, 'splits'>, tiling: GemmTiling): number {
  const tiles = Math.ceil(dims.rows / tiling.tileRows) * Math.ceil(dims.cols / tiling.tileCols);
  const wanted = Math.ceil(256 / tiles);
  return Math.max(1, Math.min(wanted, Math.floor(dims.inner / 256), 64));
}

/** The inner indices each split covers, rounded to whole TK steps. */
export function splitChunk(inner: number, splits: number, tiling: GemmTiling): number {
  return Math.ceil(inner / splits / tiling.tileInner) * tiling.tileInner;
}
