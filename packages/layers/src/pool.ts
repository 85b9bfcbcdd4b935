import { type LayerSpec, type Padding2d, poolWindow, type Shape, type Size2 } from '@convkit/shape';
import * as tf from '@tensorflow/tfjs-core';
import { type BaseConfig, Layer } from './layer.js';
import { avgPoolCountingPad } from './ops.js';
import { placeWindow } from './window.js';

/** Options of {@link MaxPool2d} and {@link AvgPool2d}. */
export interface Pool2dConfig extends BaseConfig {
  /** Window size, a number or `[height, width]`. */
  kernel: Size2;
  /** Default: the kernel size (non-overlapping windows). AlexNet's overlapping pooling: kernel 3, stride 2. */
  stride?: Size2;
  /** As for convolutions. Padding never wins a max and, by default, never counts in an average. Default 0. */
  padding?: Padding2d;
  /** Round the output size up, keeping a last partial window (ONNX/PyTorch `ceil_mode`). Default false. */
  ceilMode?: boolean;
}

/** Options of {@link AvgPool2d}. */
export interface AvgPool2dConfig extends Pool2dConfig {
  /** Divide by the whole window, zeros of the explicit padding included (ONNX `count_include_pad`). Default false. */
  countIncludePad?: boolean;
}

/** The pool's window with its defaults filled, once for the shape math and the op. */
function windowOf({ kernel, stride, padding = 0, ceilMode = false }: Pool2dConfig) {
  return poolWindow({ kernel, stride, padding, ceilMode });
}

function poolSpec(layer: Layer<Pool2dConfig>, mode: string): LayerSpec[] {
  return [{ type: 'pool', name: layer.name, mode, ...windowOf(layer.config) }];
}

function place(layer: Layer<Pool2dConfig>, x: tf.Tensor4D) {
  return placeWindow(layer.name, [x.shape[1], x.shape[2]], windowOf(layer.config));
}

/**
 * Max pooling: each output is the largest value in its window, per channel.
 *
 * @example
 * ```ts
 * new MaxPool2d({ kernel: 3, stride: 2 }).outputShape([55, 55, 96]); // [27, 27, 96]
 * ```
 */
export class MaxPool2d extends Layer<Pool2dConfig> {
  readonly type = 'maxPool2d';

  specs(_input: Shape): LayerSpec[] {
    return poolSpec(this, 'max');
  }

  protected call(x: tf.Tensor): tf.Tensor {
    const p = place(this, x as tf.Tensor4D);
    return tf.maxPool(x as tf.Tensor4D, p.kernel, p.stride, p.extended as never);
  }
}

/**
 * Average pooling over each window, per channel. Positions outside the
 * input do not count unless `countIncludePad` (then the explicit padding's
 * zeros count, but not ceil mode's extra positions, as ONNX defines it).
 */
export class AvgPool2d extends Layer<AvgPool2dConfig> {
  readonly type = 'avgPool2d';

  specs(_input: Shape): LayerSpec[] {
    return poolSpec(this, 'avg');
  }

  protected call(x: tf.Tensor): tf.Tensor {
    const p = place(this, x as tf.Tensor4D);
    if (!this.config.countIncludePad) return tf.avgPool(x as tf.Tensor4D, p.kernel, p.stride, p.extended as never);
    return avgPoolCountingPad(x as tf.Tensor4D, p.kernel, p.stride, p.padding, p.extended);
  }
}
