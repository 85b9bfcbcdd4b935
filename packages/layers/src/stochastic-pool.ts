import { type LayerSpec, poolWindow, type Shape, type Size2 } from '@convkit/shape';
import * as tf from '@tensorflow/tfjs-core';
import { customGrad1 } from './custom-grad.js';
import { type ApplyOptions, type BaseConfig, Layer } from './layer.js';
import { everyNth } from './ops.js';
import { placeWindow } from './window.js';

/** Options of {@link StochasticPool2d}. */
export interface StochasticPool2dConfig extends BaseConfig {
  /** Window size, a number or `[height, width]`. */
  kernel: Size2;
  /** Default: the kernel size (non-overlapping windows, as in the paper). */
  stride?: Size2;
}

/**
 * The input sampled at window offset `(i, j)` of every window: rows
 * `i, i + sh, …` and columns `j, j + sw, …`, `[batch, oh, ow, c]` (exact, and
 * differentiable on every backend).
 */
function tap(
  x: tf.Tensor4D,
  [i, j]: [number, number],
  [sh, sw]: [number, number],
  [oh, ow]: [number, number],
): tf.Tensor4D {
  const [batch, h, w, c] = x.shape;
  const rows = Math.min(oh * sh, h - i);
  const cols = Math.min(ow * sw, w - j);
  return everyNth(tf.slice(x, [0, i, j, 0], [batch, rows, cols, c]), [sh, sw], [oh, ow]);
}

/**
 * Picks one element per window (last axis) with probability proportional to
 * its value: the gradient flows to the picked element only (the choice itself
 * has none). Windows whose sum is 0 give 0.
 */
function sample(windows: tf.Tensor, seed: number | undefined): tf.Tensor {
  const pick = customGrad1((a: tf.Tensor, save: tf.GradSaveFunc) => {
    const k = a.shape.at(-1) as number;
    const weights = tf.relu(a);
    // On rows of a 2-D view: tfjs' webgpu Cumsum takes rank ≤ 4, and windows of an NHWC batch are rank 5.
    const cumulative = tf.reshape(tf.cumsum(tf.reshape(weights, [-1, k]), 1), a.shape);
    const total = tf.slice(cumulative, [...Array(a.rank - 1).fill(0), k - 1], [...a.shape.slice(0, -1), 1]);
    const u = tf.randomUniform(total.shape, 0, 1, 'float32', seed);
    // The chosen index is how many cumulative sums lie at or below u·Σ (and
    // below Σ itself, so rounding of u·Σ up to Σ cannot run past the last
    // positive element); zero-probability elements are never chosen.
    const below = tf.logicalAnd(tf.lessEqual(cumulative, tf.mul(u, total)), tf.less(cumulative, total));
    const index = tf.sum(tf.cast(below, 'int32'), -1);
    const mask = tf.mul(tf.oneHot(index, k, 1, 0, 'float32'), tf.cast(tf.greater(total, 0), 'float32'));
    save([mask]);
    return {
      value: tf.sum(tf.mul(mask, a), -1),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(tf.expandDims(dy, -1), saved[0] as tf.Tensor),
    };
  });
  return pick(windows);
}

/**
 * The probability-weighted average of each window (last axis),
 * `Σ a² / Σ a` over the positive elements, 0 where the sum is 0. Its
 * gradient, `(2·a_j·Σa − Σa²) / (Σa)²` at positive elements and 0 elsewhere,
 * is custom: the zero-sum mask must stay off the tape (tfjs has no gradient
 * for comparisons).
 */
function expectation(windows: tf.Tensor): tf.Tensor {
  const parts = (a: tf.Tensor) => {
    const weights = tf.relu(a);
    const total = tf.sum(weights, -1);
    const positive = tf.greater(total, 0);
    return { weights, total, positive, safe: tf.where(positive, total, tf.onesLike(total)) };
  };
  const f = customGrad1((a: tf.Tensor, save: tf.GradSaveFunc) => {
    const { weights, total, positive, safe } = parts(a);
    const squares = tf.sum(tf.square(weights), -1);
    const value = tf.where(positive, tf.div(squares, safe), tf.zerosLike(total));
    save([a, value]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, [input, output]: tf.Tensor[]) => {
        const { weights, safe } = parts(input as tf.Tensor);
        // ∂/∂a_j (Σa²/Σa) = (2·a_j − y) / Σa, with y the output; 0 where a_j ≤ 0 or Σa = 0.
        const slope = tf.div(
          tf.sub(tf.mul(weights, 2), tf.expandDims(output as tf.Tensor, -1)),
          tf.expandDims(safe, -1),
        );
        const active = tf.greater(weights, 0);
        return tf.mul(tf.expandDims(dy, -1), tf.where(active, slope, tf.zerosLike(slope)));
      },
    };
  });
  return f(windows);
}

/**
 * Stochastic pooling (Zeiler & Fergus 2013). The activations `a` of each
 * window, per channel, define probabilities `p_i = a_i / Σ a`. While
 * training, each output is one activation of its window drawn with those
 * probabilities (seeded by `apply(x, { training: true, seed })`; the gradient
 * flows to the drawn position); at inference it is the probability-weighted
 * average `Σ p_i a_i = Σ a² / Σ a`. A window whose sum is 0 gives 0.
 *
 * Inputs are expected non-negative, as after a ReLU: negative activations
 * are treated as 0 (never drawn, no weight in the average).
 *
 * @example
 * ```ts
 * const pool = new StochasticPool2d({ kernel: 2 });
 * pool.outputShape([24, 24, 64]);                         // [12, 12, 64]
 * pool.build([24, 24, 64]);
 * const y = pool.apply(tf.relu(x), { training: true, seed: 7 });
 * ```
 */
export class StochasticPool2d extends Layer<StochasticPool2dConfig> {
  readonly type = 'stochasticPool2d';

  /** The window with its stride defaulted to the kernel, once for the shape math and the op. */
  private get window() {
    return poolWindow({ kernel: this.config.kernel, stride: this.config.stride, padding: 0 });
  }

  specs(_input: Shape): LayerSpec[] {
    const { kernel, stride } = this.window;
    return [{ type: 'pool', name: this.name, mode: 'stochastic', kernel, stride }];
  }

  protected call(x: tf.Tensor, options: ApplyOptions): tf.Tensor {
    const input = x as tf.Tensor4D;
    const place = placeWindow(this.name, [input.shape[1], input.shape[2]], this.window);
    const [kh, kw] = place.kernel;
    const taps: tf.Tensor4D[] = [];
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) taps.push(tap(input, [i, j], place.stride, place.output));
    }
    // [batch, oh, ow, c, kh·kw]: every window's elements on the last axis.
    const windows = tf.stack(taps, 4);
    return options.training ? sample(windows, options.seed) : expectation(windows);
  }
}
