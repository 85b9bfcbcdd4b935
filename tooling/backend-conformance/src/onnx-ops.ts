// ONNX operators written with tfjs ops (NHWC), the way convkit's layers will
// call the backends: the bridge between the ONNX test data and the kernels.
import * as tf from '@tensorflow/tfjs-core';

type Attrs = Record<string, unknown>;
type Pad4 = [[0, 0], [number, number], [number, number], [0, 0]];

const ints = (v: unknown, fallback: number[]): number[] => (Array.isArray(v) ? v.map(Number) : fallback);

/** Explicit `[[0,0],[top,bottom],[left,right],[0,0]]` for an ONNX node's pads / auto_pad. */
export function onnxPadding(
  attrs: Attrs,
  [h, w]: [number, number],
  kernel: number[],
  strides: number[],
  dilations: number[],
): Pad4 {
  const auto = String(attrs.auto_pad ?? 'NOTSET');
  if (auto === 'SAME_UPPER' || auto === 'SAME_LOWER') {
    const total = [h, w].map((n, i) => {
      const s = strides[i] as number;
      const span = (dilations[i] as number) * ((kernel[i] as number) - 1) + 1;
      return Math.max(0, (Math.ceil(n / s) - 1) * s + span - n);
    });
    const split = (t: number): [number, number] =>
      auto === 'SAME_UPPER' ? [Math.floor(t / 2), t - Math.floor(t / 2)] : [t - Math.floor(t / 2), Math.floor(t / 2)];
    return [[0, 0], split(total[0] as number), split(total[1] as number), [0, 0]];
  }
  const p = ints(attrs.pads, [0, 0, 0, 0]);
  return [
    [0, 0],
    [p[0] as number, p[2] as number],
    [p[1] as number, p[3] as number],
    [0, 0],
  ];
}

/**
 * ONNX Conv on NHWC data with an OIHW weight: groups by depthwise
 * convolution or by splitting; stride and dilation together by a dilated
 * stride-1 convolution sampled every `stride` (tfjs takes one or the other).
 */
export function conv(
  x: tf.Tensor4D,
  weightOihw: tf.Tensor4D,
  bias: tf.Tensor1D | undefined,
  attrs: Attrs,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [, , kh, kw] = weightOihw.shape;
    const strides = ints(attrs.strides, [1, 1]);
    const dilations = ints(attrs.dilations, [1, 1]);
    const group = Number(attrs.group ?? 1);
    const pad = onnxPadding(attrs, [x.shape[1], x.shape[2]], [kh, kw], strides, dilations);
    const both = strides.some((s) => s > 1) && dilations.some((d) => d > 1);
    const step = (both ? [1, 1] : strides) as [number, number];
    const hwio = tf.transpose(weightOihw, [2, 3, 1, 0]) as tf.Tensor4D; // [kh, kw, C/g, M]
    const channels = x.shape[3];
    let y: tf.Tensor4D;
    if (group === 1) {
      y = tf.conv2d(x, hwio, step, pad, 'NHWC', dilations as [number, number]);
    } else if (group === channels) {
      // Depthwise: output channel c·M + m reads input channel c.
      const multiplier = weightOihw.shape[0] / channels;
      const filter = tf.reshape(hwio, [kh, kw, channels, multiplier]) as tf.Tensor4D;
      y = tf.depthwiseConv2d(x, filter, step, pad, 'NHWC', dilations as [number, number]);
    } else {
      const xs = tf.split(x, group, 3);
      const ws = tf.split(hwio, group, 3);
      const parts = xs.map((part, g) =>
        tf.conv2d(part as tf.Tensor4D, ws[g] as tf.Tensor4D, step, pad, 'NHWC', dilations as [number, number]),
      );
      y = tf.concat(parts, 3);
    }
    if (both)
      y = tf.stridedSlice(y, [0, 0, 0, 0], y.shape, [1, strides[0] as number, strides[1] as number, 1]) as tf.Tensor4D;
    return bias ? tf.add(y, bias) : y;
  });
}

/**
 * ONNX MaxPool / AveragePool on NHWC data. Ceil mode pads the end so the
 * last partial window exists (dropping one that would start in the end
 * padding); count_include_pad pads with zeros and averages over whole windows,
 * except where ceil mode reaches past the explicit padding.
 */
export function pool(x: tf.Tensor4D, op: 'MaxPool' | 'AveragePool', attrs: Attrs): tf.Tensor4D {
  return tf.tidy(() => {
    const kernel = ints(attrs.kernel_shape, [1, 1]);
    const strides = ints(attrs.strides, [1, 1]);
    const dilations = ints(attrs.dilations, [1, 1]);
    const pad = onnxPadding(attrs, [x.shape[1], x.shape[2]], kernel, strides, dilations);
    if (attrs.ceil_mode === 1) {
      for (const axis of [1, 2] as const) {
        const n = x.shape[axis];
        const [before, after] = pad[axis];
        const s = strides[axis - 1] as number;
        const span = (dilations[axis - 1] as number) * ((kernel[axis - 1] as number) - 1) + 1;
        let out = Math.ceil((n + before + after - span) / s) + 1;
        if ((out - 1) * s >= n + before) out -= 1;
        pad[axis] = [before, Math.max(after, (out - 1) * s + span - n - before)];
      }
    }
    const windowed = (input: tf.Tensor4D, padding: Pad4) =>
      op === 'MaxPool'
        ? tf.maxPool(input, kernel as [number, number], strides as [number, number], padding as never)
        : tf.avgPool(input, kernel as [number, number], strides as [number, number], padding as never);
    if (dilations.some((d) => d > 1)) {
      if (pad.flat().some((p) => p !== 0)) throw new Error('dilated pooling with padding is not mapped to tfjs ops');
      const type = op === 'MaxPool' ? 'max' : 'avg';
      return tf.pool(
        x,
        kernel as [number, number],
        type,
        'valid',
        dilations as [number, number],
        strides as [number, number],
      ) as tf.Tensor4D;
    }
    if (op === 'AveragePool' && attrs.count_include_pad === 1) {
      // Zeros count in the explicit padding; positions beyond it (ceil mode) do not.
      const explicit = onnxPadding(attrs, [x.shape[1], x.shape[2]], kernel, strides, dilations);
      const padded = tf.pad(x, explicit);
      const rest: Pad4 = [
        [0, 0],
        [0, pad[1][1] - explicit[1][1]],
        [0, pad[2][1] - explicit[2][1]],
        [0, 0],
      ];
      return windowed(padded, rest);
    }
    return windowed(x, pad);
  });
}

/** ONNX LRN (alpha divided by size, Caffe's convention) through tfjs' depth_radius form. */
export function lrn(x: tf.Tensor4D, attrs: Attrs): tf.Tensor4D {
  const size = Number(attrs.size);
  const alpha = Number(attrs.alpha ?? 0.0001);
  const beta = Number(attrs.beta ?? 0.75);
  const bias = Number(attrs.bias ?? 1);
  if (size % 2 !== 1) throw new Error(`LRN size ${size}: tfjs' window is symmetric, so only odd sizes map exactly`);
  return tf.localResponseNormalization(x, (size - 1) / 2, bias, alpha / size, beta);
}
