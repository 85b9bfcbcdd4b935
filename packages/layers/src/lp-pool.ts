import { type LayerSpec, type Padding2d, poolWindow, type Shape, type Size2 } from '@convkit/shape';
import * as tf from '@tensorflow/tfjs-core';
import { customGrad1 } from './custom-grad.js';
import { ConfigError } from './errors.js';
import { type BaseConfig, Layer } from './layer.js';
import { windowSum } from './ops.js';
import { placeWindow } from './window.js';

/** Options of {@link LpPool2d}. */
export interface LpPool2dConfig extends BaseConfig {
  /** Window size, a number or `[height, width]`. */
  kernel: Size2;
  /** Default: the kernel size (non-overlapping windows). */
  stride?: Size2;
  /** As for convolutions (numbers, `[before, after]`, `'same'`, …). The padding counts as zeros. Default 0. */
  padding?: Padding2d;
  /** The norm's exponent, a finite number > 0. Default 2 (L2 pooling). */
  p?: number;
}

/**
 * `|x|^p`, with the gradient `p·sign(x)·|x|^(p−1)`, taken as 0 at x = 0
 * (finite for p < 1 too). A custom gradient: the mask of zeros must not be
 * on the tape, as tfjs has no gradient for comparisons.
 */
function absPow(x: tf.Tensor, p: number): tf.Tensor {
  if (p === 2) return tf.square(x);
  const f = customGrad1((t: tf.Tensor, save: tf.GradSaveFunc) => {
    save([t]);
    return {
      value: tf.pow(tf.abs(t), p),
      gradFunc: (dy: tf.Tensor, [input]: tf.Tensor[]) => {
        const a = tf.abs(input as tf.Tensor);
        const nonzero = tf.greater(a, 0);
        const slope = tf.mul(
          tf.sign(input as tf.Tensor),
          tf.mul(p, tf.pow(tf.where(nonzero, a, tf.onesLike(a)), p - 1)),
        );
        return tf.mul(dy, tf.where(nonzero, slope, tf.zerosLike(a)));
      },
    };
  });
  return f(x);
}

/** `s^(1/p)` for `s ≥ 0`, with the gradient `y / (p·s)`, taken as 0 (not ∞) at s = 0: all-zero windows. */
function root(s: tf.Tensor, p: number): tf.Tensor {
  if (p === 1) return s;
  const f = customGrad1((t: tf.Tensor, save: tf.GradSaveFunc) => {
    const y = p === 2 ? tf.sqrt(t) : tf.pow(t, 1 / p);
    save([t, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, [input, output]: tf.Tensor[]) => {
        const positive = tf.greater(input as tf.Tensor, 0);
        const safe = tf.where(positive, input as tf.Tensor, tf.onesLike(input as tf.Tensor));
        const slope = tf.div(output as tf.Tensor, tf.mul(safe, p));
        return tf.mul(dy, tf.where(positive, slope, tf.zerosLike(slope)));
      },
    };
  });
  return f(s);
}

/**
 * Lp pooling: each output is the p-norm of its window, per channel,
 * `y = (Σ_window |x|^p)^(1/p)` — a sum, not a mean, and the padding counts
 * as zeros, as ONNX `LpPool` defines it. `p: 2` (the default) is L2 pooling
 * (Sermanet et al. 2012); p → ∞ approaches max pooling of |x|. The gradient
 * is finite everywhere, 0 at all-zero windows and at zero inputs.
 *
 * @example
 * ```ts
 * const pool = new LpPool2d({ kernel: 2 });              // L2, stride 2
 * pool.outputShape([32, 32, 16]);                        // [16, 16, 16]
 * new LpPool2d({ kernel: 3, stride: 1, padding: 'same', p: 3 }).outputShape([8, 8, 4]); // [8, 8, 4]
 * ```
 */
export class LpPool2d extends Layer<LpPool2dConfig> {
  readonly type = 'lpPool2d';

  constructor(config: LpPool2dConfig) {
    super(config);
    const { p = 2 } = config;
    if (typeof p !== 'number' || !Number.isFinite(p) || !(p > 0)) {
      throw new ConfigError(
        this.name,
        `p must be a finite number > 0, received ${typeof p === 'number' ? p : JSON.stringify(p)}`,
      );
    }
  }

  /** The window with its defaults filled, once for the shape math and the op. */
  private get window() {
    const { kernel, stride, padding = 0 } = this.config;
    return poolWindow({ kernel, stride, padding });
  }

  specs(_input: Shape): LayerSpec[] {
    const { p = 2 } = this.config;
    return [{ type: 'pool', name: this.name, mode: p === 2 ? 'l2' : `lp${p}`, ...this.window }];
  }

  protected call(x: tf.Tensor): tf.Tensor {
    const input = x as tf.Tensor4D;
    const { p = 2 } = this.config;
    const place = placeWindow(this.name, [input.shape[1], input.shape[2]], this.window);
    return root(windowSum(absPow(input, p) as tf.Tensor4D, place.kernel, place.stride, place.padding), p);
  }
}
