// The WGSL loaders that turn the three convolution kernels into one tiled
// product (gemm-program.ts): rowInfo/innerInfo split an index into
// coordinates once, mmA/mmB read a tensor at them. Tensors are NHWC, filters HWIO, all flat f32.
// The geometry comes in as uniforms, so one pipeline serves every layer.

/** Uniform fields every loader reads, in the order of `convGeometryUniforms`. */
export const CONV_GEOMETRY =
  'pads : vec2<i32>, strides : vec2<i32>, dilations : vec2<i32>, filterDims : vec2<i32>, inDims : vec3<i32>, outDims : vec3<i32>,';

/**
 * The im2col matrix of the input, read in place: x[b, oy·s − pad + kh·d,
 * ox·s − pad + kw·d, ci], or 0 in the padding. A pixel (b, oy, ox) is split
 * into (b·H, oy·s − pad, ox·s − pad), a tap (kh, kw, ci) into (kh·d, kw·d, ci).
 */
const IM2COL = `
  fn pixelInfo(pixel : i32) -> vec4<i32> {
    let ox = pixel % uniforms.outDims.y;
    let p = pixel / uniforms.outDims.y;
    let oy = p % uniforms.outDims.x;
    let b = p / uniforms.outDims.x;
    return vec4<i32>(b * uniforms.inDims.x, oy * uniforms.strides.x - uniforms.pads.x,
                     ox * uniforms.strides.y - uniforms.pads.y, 0);
  }
  fn tapInfo(tap : i32) -> vec4<i32> {
    let ci = tap % uniforms.inDims.z;
    let t = tap / uniforms.inDims.z;
    let kw = t % uniforms.filterDims.y;
    let kh = t / uniforms.filterDims.y;
    return vec4<i32>(kh * uniforms.dilations.x, kw * uniforms.dilations.y, ci, 0);
  }
  fn im2col(p : vec4<i32>, t : vec4<i32>) -> f32 {
    let iy = p.y + t.x;
    let ix = p.z + t.y;
    if (iy < 0 || iy >= uniforms.inDims.x || ix < 0 || ix >= uniforms.inDims.y) { return 0.0; }
    return x[((p.x + iy) * uniforms.inDims.y + ix) * uniforms.inDims.z + t.z];
  }`;

/** y[pixel, co] = Σ_tap im2col(pixel, tap) · W[tap, co]: HWIO is already [taps, cout]. */
export const FORWARD_LOADERS = `${IM2COL}
  fn rowInfo(row : i32) -> vec4<i32> { return pixelInfo(row); }
  fn innerInfo(inner : i32) -> vec4<i32> { return tapInfo(inner); }
  fn mmA(r : vec4<i32>, k : vec4<i32>) -> f32 { return im2col(r, k); }
  fn mmB(k : vec4<i32>, inner : i32, col : i32) -> f32 { return W[inner * uniforms.outDims.z + col]; }`;

/**
 * dW[tap, co] = Σ_pixel im2col(pixel, tap) · dy[pixel, co]: the transposed
 * im2col matrix times dy, with the pixels (batch × output positions) as the
 * inner dimension.
 */
export const FILTER_GRAD_LOADERS = `${IM2COL}
  fn rowInfo(row : i32) -> vec4<i32> { return tapInfo(row); }
  fn innerInfo(inner : i32) -> vec4<i32> { return pixelInfo(inner); }
  fn mmA(r : vec4<i32>, k : vec4<i32>) -> f32 { return im2col(k, r); }
  fn mmB(k : vec4<i32>, inner : i32, col : i32) -> f32 { return dy[inner * uniforms.outDims.z + col]; }`;

/**
 * dx[b, iy, ix, ci] = Σ_{kh, kw, co} dy[b, oy, ox, co] · W[kh, kw, ci, co]
 * where iy = oy·s − pad + kh·d (and the same along x). Rows are input
 * pixels, split into (b·OH, iy + pad, ix + pad); the inner index runs over
 * kh, kw, co, split into (kh·d, kw·d, co, kh·KW + kw). A tap whose output
 * position is outside dy, or (strided) not a whole stride step, adds 0; with
 * stride 1 that test and its division are left out of the shader.
 */
export function inputGradLoaders(unitStride: boolean): string {
  const position = unitStride
    ? `let oy = ny;
    let ox = nx;`
    : `if (ny % uniforms.strides.x != 0 || nx % uniforms.strides.y != 0) { return 0.0; }
    let oy = ny / uniforms.strides.x;
    let ox = nx / uniforms.strides.y;`;
  return `
  fn rowInfo(row : i32) -> vec4<i32> {
    let ix = row % uniforms.inDims.y;
    let p = row / uniforms.inDims.y;
    let iy = p % uniforms.inDims.x;
    let b = p / uniforms.inDims.x;
    return vec4<i32>(b * uniforms.outDims.x, iy + uniforms.pads.x, ix + uniforms.pads.y, 0);
  }
  fn innerInfo(inner : i32) -> vec4<i32> {
    let co = inner % uniforms.outDims.z;
    let t = inner / uniforms.outDims.z;
    let kw = t % uniforms.filterDims.y;
    let kh = t / uniforms.filterDims.y;
    return vec4<i32>(kh * uniforms.dilations.x, kw * uniforms.dilations.y, co, t);
  }
  fn mmA(r : vec4<i32>, k : vec4<i32>) -> f32 {
    let ny = r.y - k.x;
    let nx = r.z - k.y;
    if (ny < 0 || nx < 0) { return 0.0; }
    ${position}
    if (oy >= uniforms.outDims.x || ox >= uniforms.outDims.y) { return 0.0; }
    return dy[((r.x + oy) * uniforms.outDims.y + ox) * uniforms.outDims.z + k.z];
  }
  fn mmB(k : vec4<i32>, inner : i32, col : i32) -> f32 {
    return W[(k.w * uniforms.inDims.z + col) * uniforms.outDims.z + k.z];
  }`;
}

/** The geometry of a convolution as tfjs' `computeConv2DInfo` reports it. */
export interface ConvGeometryInfo {
  padInfo: { top: number; left: number };
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  filterHeight: number;
  filterWidth: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
}

/** The uniform values for `CONV_GEOMETRY`, in its order. */
export function convGeometryUniforms(c: ConvGeometryInfo): { type: 'int32'; data: number[] }[] {
  return [
    [c.padInfo.top, c.padInfo.left],
    [c.strideHeight, c.strideWidth],
    [c.dilationHeight, c.dilationWidth],
    [c.filterHeight, c.filterWidth],
    [c.inHeight, c.inWidth, c.inChannels],
    [c.outHeight, c.outWidth, c.outChannels],
  ].map((data) => ({ type: 'int32', data }));
}
