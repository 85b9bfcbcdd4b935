import { assertExact, explainOutputSize } from './output-size.js';
import { axisPaddings, effectiveKernel } from './padding.js';
import { type Size2, toPair } from './size2.js';
import type { Padding2d } from './specs.js';

/**
 * A 2-D sliding window as conv and pooling layers configure it. Sizes are
 * `[height, width]` or one number for both; tensors are NHWC.
 */
export interface Window2d {
  kernel: Size2;
  /** Default 1; a pool's default (its kernel) is filled by {@link poolWindow}. */
  stride?: Size2;
  /** Default 1. */
  dilation?: Size2;
  /** A number, a mode, or `[height, width]` of numbers or `[before, after]`. Default 0. */
  padding?: Padding2d;
  /** Round output sizes up as ONNX/PyTorch `ceil_mode` do. Default false. */
  ceilMode?: boolean;
  /** Throw a {@link ShapeError} when an output size is not an integer. Default false. */
  strict?: boolean;
}

/** A {@link Window2d} placed on an input of `[height, width]`: every number explicit. */
export interface ResolvedWindow {
  kernel: [number, number];
  stride: [number, number];
  dilation: [number, number];
  /** The input elements a window spans per axis, `dilation·(kernel − 1) + 1`. */
  span: [number, number];
  /** The padding asked for (explicit or a mode), `[[top, bottom], [left, right]]`. */
  padding: [[number, number], [number, number]];
  /** That padding plus the end padding ceil mode's last partial window reads. */
  extended: [[number, number], [number, number]];
  /** Output `[height, width]`. */
  output: [number, number];
  /** The output-size formula of each axis with its numbers, e.g. `(28 + 2·0 − 5)/1 + 1 = 24`. */
  formulas: [string, string];
}

/**
 * A pool's window with its stride defaulted to its kernel (non-overlapping
 * windows), the rule every pooling layer, the trace and ONNX export share.
 *
 * @example
 * ```ts
 * poolWindow({ kernel: 2 }).stride;            // 2
 * poolWindow({ kernel: 3, stride: 2 }).stride; // 2 (AlexNet's overlapping pooling)
 * ```
 */
export function poolWindow<T extends { kernel: Size2; stride?: Size2 | undefined }>(window: T): T & { stride: Size2 } {
  return { ...window, stride: window.stride ?? window.kernel };
}

/**
 * Places a window on an input of `[height, width]`: kernel, stride and
 * dilation as pairs, the padding of each side (modes resolved), the output
 * size and its formula per axis. The geometry under `trace`, the layers, ONNX
 * import/export and the kernels. Throws a {@link ShapeError} naming `op` for
 * geometry that cannot exist (or, with `strict`, an inexact division).
 *
 * @example
 * ```ts
 * resolveWindow('conv1', [224, 224], { kernel: 7, stride: 2, padding: 'same' });
 * // { output: [112, 112], padding: [[2, 3], [2, 3]], … }
 * ```
 */
export function resolveWindow(op: string, [h, w]: readonly [number, number], window: Window2d): ResolvedWindow {
  const kernel = toPair(op, 'kernel', window.kernel);
  const stride = toPair(op, 'stride', window.stride ?? 1);
  const dilation = toPair(op, 'dilation', window.dilation ?? 1);
  const paddings = axisPaddings(op, window.padding ?? 0);
  const axis = (k: 0 | 1, n: number) => {
    const options = {
      kernel: kernel[k],
      stride: stride[k],
      dilation: dilation[k],
      padding: paddings[k],
      ceilMode: window.ceilMode ?? false,
      op,
    };
    const explained = explainOutputSize(n, options);
    if (window.strict) assertExact(explained, op, { n, ...options });
    const [before, after] = explained.padding;
    const span = effectiveKernel(kernel[k], dilation[k]);
    // Ceil mode: pad the end so that the last (partial) window exists.
    const extended = Math.max(after, (explained.size - 1) * stride[k] + span - n - before);
    return { explained, span, extended: [before, extended] as [number, number] };
  };
  const rows = axis(0, h);
  const cols = axis(1, w);
  return {
    kernel,
    stride,
    dilation,
    span: [rows.span, cols.span],
    padding: [rows.explained.padding, cols.explained.padding],
    extended: [rows.extended, cols.extended],
    output: [rows.explained.size, cols.explained.size],
    formulas: [rows.explained.formula, cols.explained.formula],
  };
}
