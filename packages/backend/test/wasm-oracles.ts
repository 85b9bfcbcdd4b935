// Independent references for the wasm kernel tests (not exported by the
// package): seeded data, tfjs-cpu's stock kernels, and plain float64 loops
// differentiated by central finite differences.

import { mulberry32 } from '@convkit/shape';
import * as tf from '@tensorflow/tfjs-core';

/** Deterministic uniform values in [-1, 1), from shape's seeded generator (mulberry32). */
export function seeded(size: number, seed: number): Float32Array {
  const random = mulberry32(seed);
  return Float32Array.from({ length: size }, () => random() * 2 - 1);
}

/** Tensors given as plain data, so they can be made on any backend. */
export interface HostTensor {
  values: Float32Array;
  shape: number[];
}

export function host(shape: number[], seed: number): HostTensor {
  return { values: seeded(tf.util.sizeFromShape(shape), seed), shape };
}

/** Runs one kernel on a backend through the engine and reads its output back. */
export async function runOn(
  backend: string,
  kernelName: string,
  inputs: Record<string, HostTensor>,
  attrs: object,
): Promise<{ values: Float32Array; shape: number[] }> {
  await tf.setBackend(backend);
  const made: tf.NamedTensorMap = {};
  for (const [name, t] of Object.entries(inputs)) made[name] = tf.tensor(t.values, t.shape);
  const out = tf.engine().runKernel(kernelName, made, attrs as tf.NamedAttrMap) as tf.Tensor;
  const values = (await out.data()) as Float32Array;
  const shape = out.shape;
  tf.dispose([out, ...Object.values(made)]);
  return { values, shape };
}

/** Largest |a − b| / (1 + |b|) over all elements. */
export function maxRelativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Number.POSITIVE_INFINITY;
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i] ?? Number.NaN;
    const b = expected[i] ?? Number.NaN;
    const error = Math.abs(a - b) / (1 + Math.abs(b));
    if (!(error <= worst)) worst = Number.isNaN(error) ? Number.POSITIVE_INFINITY : error;
  }
  return worst;
}

/**
 * ∂L/∂p for L(p) = `loss(p)`, by central differences in float64, one element
 * at a time. `loss` must read `p` (a Float64Array it may not keep).
 */
export function finiteDifference(params: Float64Array, loss: (p: Float64Array) => number, step = 1e-4): Float64Array {
  const grad = new Float64Array(params.length);
  for (let i = 0; i < params.length; i++) {
    const keep = params[i] ?? 0;
    params[i] = keep + step;
    const up = loss(params);
    params[i] = keep - step;
    const down = loss(params);
    params[i] = keep;
    grad[i] = (up - down) / (2 * step);
  }
  return grad;
}

/** Convolution geometry in plain numbers (NHWC input, HWIO or depthwise HW·C·M filter). */
export interface ConvGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  padTop: number;
  padLeft: number;
  /** Output channels of an ordinary convolution, or the channel multiplier of a depthwise one. */
  outChannels: number;
  depthwise: boolean;
}

/** Σ dy·conv(x, w), the loss whose gradients are the backprop kernels' outputs, in float64. */
export function convLoss(g: ConvGeometry, x: ArrayLike<number>, w: ArrayLike<number>, dy: ArrayLike<number>): number {
  const outC = g.depthwise ? g.inChannels * g.outChannels : g.outChannels;
  let total = 0;
  for (let n = 0; n < g.batch; n++) {
    for (let oh = 0; oh < g.outHeight; oh++) {
      for (let ow = 0; ow < g.outWidth; ow++) {
        for (let kh = 0; kh < g.filterHeight; kh++) {
          const ih = oh * g.strideHeight + kh * g.dilationHeight - g.padTop;
          if (ih < 0 || ih >= g.inHeight) continue;
          for (let kw = 0; kw < g.filterWidth; kw++) {
            const iw = ow * g.strideWidth + kw * g.dilationWidth - g.padLeft;
            if (iw < 0 || iw >= g.inWidth) continue;
            for (let ci = 0; ci < g.inChannels; ci++) {
              const xv = x[((n * g.inHeight + ih) * g.inWidth + iw) * g.inChannels + ci] ?? 0;
              const tap = ((kh * g.filterWidth + kw) * g.inChannels + ci) * g.outChannels;
              const dyBase = ((n * g.outHeight + oh) * g.outWidth + ow) * outC;
              for (let co = 0; co < g.outChannels; co++) {
                const channel = g.depthwise ? ci * g.outChannels + co : co;
                total += xv * (w[tap + co] ?? 0) * (dy[dyBase + channel] ?? 0);
              }
            }
          }
        }
      }
    }
  }
  return total;
}

/** Geometry of a convolution as tfjs computes it (padding 'same'/'valid'/explicit, rounding). */
export function geometry(
  xShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  strides: number | [number, number],
  dilations: number | [number, number],
  pad: 'same' | 'valid' | number | tf.backend_util.ExplicitPadding,
  depthwise: boolean,
): ConvGeometry {
  const info = tf.backend_util.computeConv2DInfo(xShape, filterShape, strides, dilations, pad, undefined, depthwise);
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    dilationHeight: info.dilationHeight,
    dilationWidth: info.dilationWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
    outChannels: depthwise ? filterShape[3] : info.outChannels,
    depthwise,
  };
}

/**
 * Calls `visit(xAt, dyAt, tapAt)` for every (output pixel, filter tap) of an NHWC convolution
 * (dilation 1) whose tap lands inside x: the offsets of x[n, ih, iw, 0], dy[n, oh, ow, 0] and
 * w[kh, kw, 0, 0]. The loop nest every direct float64 convolution oracle shares.
 */
export function forEachTap(
  info: tf.backend_util.Conv2DInfo,
  visit: (xAt: number, dyAt: number, tapAt: number) => void,
): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;
  for (let n = 0; n < batchSize; n++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++) {
        const dyAt = ((n * outHeight + oh) * outWidth + ow) * outChannels;
        for (let kh = 0; kh < filterHeight; kh++) {
          const ih = oh * strideHeight + kh - padInfo.top;
          if (ih < 0 || ih >= inHeight) continue;
          for (let kw = 0; kw < filterWidth; kw++) {
            const iw = ow * strideWidth + kw - padInfo.left;
            if (iw < 0 || iw >= inWidth) continue;
            visit(
              ((n * inHeight + ih) * inWidth + iw) * inChannels,
              dyAt,
              (kh * filterWidth + kw) * inChannels * outChannels,
            );
          }
        }
      }
    }
  }
}
