import { assertNonNegativeInt, assertPositiveInt, ShapeError, show } from './errors.js';
import { windowOutputSize } from './formula.js';
import type { Padding2d } from './specs.js';

/**
 * `'valid'`: no padding. `'same'`: the output has `ceil(n / stride)` elements,
 * the odd pixel of padding goes at the end (TensorFlow `SAME`, ONNX
 * `SAME_UPPER`). `'same-lower'`: the same, odd pixel at the start (ONNX
 * `SAME_LOWER`).
 */
export type PaddingMode = 'valid' | 'same' | 'same-lower';

/** Padding of one axis: the same on both sides, or `[before, after]`. */
export type AxisPadding = number | readonly [before: number, after: number];

/** Padding of one axis: explicit, or a mode resolved from the input size. */
export type Padding = AxisPadding | PaddingMode;

/** The geometry of a sliding window along one axis. */
export interface WindowOptions {
  /** Window (kernel) size. */
  kernel: number;
  /** Step between windows. Default 1. */
  stride?: number;
  /** Spacing between kernel taps; a dilated kernel spans `dilation·(kernel − 1) + 1`. Default 1. */
  dilation?: number;
}

const MODES: readonly string[] = ['valid', 'same', 'same-lower'];

/** The number of input elements a kernel spans: `dilation·(kernel − 1) + 1`. */
export function effectiveKernel(kernel: number, dilation = 1): number {
  return dilation * (kernel - 1) + 1;
}

/** Validates a window's kernel, stride and dilation, filling the defaults. */
export function checkWindow(op: string, window: WindowOptions): Required<WindowOptions> {
  const { kernel, stride = 1, dilation = 1 } = window;
  assertPositiveInt(op, 'kernel', kernel);
  assertPositiveInt(op, 'stride', stride);
  assertPositiveInt(op, 'dilation', dilation);
  return { kernel, stride, dilation };
}

/** Options of {@link samePadding}. */
export interface SamePaddingOptions {
  stride?: number;
  dilation?: number;
  /** The input size; needed when `stride > 1`, where the padding depends on it. */
  size?: number | undefined;
  /** Put the odd pixel before rather than after (ONNX `SAME_LOWER`). Default false. */
  lower?: boolean;
}

/**
 * The `[before, after]` padding that gives an output of `ceil(size / stride)`
 * elements. With stride 1 and an odd kernel that is `(K − 1)/2` on each side —
 * the lecture's rule: a 3×3 filter needs padding 1 to keep 28×28 at 28×28.
 *
 * @example
 * ```ts
 * samePadding(3);                          // [1, 1]
 * samePadding(2);                          // [0, 1]  (odd pixel at the end)
 * samePadding(3, { stride: 2, size: 5 });  // [1, 1]  → 3 outputs
 * ```
 */
export function samePadding(kernel: number, options: SamePaddingOptions = {}): [number, number] {
  const op = 'samePadding';
  const { stride, dilation } = checkWindow(op, { kernel, ...options });
  const span = effectiveKernel(kernel, dilation);
  let total: number;
  if (stride === 1) {
    total = span - 1;
  } else {
    const { size } = options;
    if (size === undefined) {
      throw new ShapeError(op, `with stride ${stride} the padding depends on the input size: pass { size }`, {
        kernel,
        stride,
      });
    }
    assertPositiveInt(op, 'size', size);
    total = Math.max(0, (Math.ceil(size / stride) - 1) * stride + span - size);
  }
  const small = Math.floor(total / 2);
  return options.lower ? [total - small, small] : [small, total - small];
}

/**
 * The smallest padding, split as `'same'` splits it, that makes a window
 * produce `output` elements from `size`.
 *
 * @example
 * ```ts
 * paddingForOutput(28, 28, { kernel: 5 });            // [2, 2]
 * paddingForOutput(224, 112, { kernel: 7, stride: 2 }); // [2, 3]
 * ```
 */
export function paddingForOutput(size: number, output: number, window: WindowOptions): [number, number] {
  const op = 'paddingForOutput';
  const { kernel, stride, dilation } = checkWindow(op, window);
  assertPositiveInt(op, 'size', size);
  assertPositiveInt(op, 'output', output);
  const span = effectiveKernel(kernel, dilation);
  const unpadded = span <= size ? windowOutputSize(size, span, stride, [0, 0]) : 0;
  if (output < unpadded) {
    throw new ShapeError(
      op,
      `padding only grows the output, and kernel ${kernel}, stride ${stride} already give ${unpadded} from ${size} without padding, more than the ${output} asked for: use a larger stride or a pooling layer`,
      { size, output, kernel, stride, dilation },
    );
  }
  const total = Math.max(0, (output - 1) * stride + span - size);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/**
 * Turns any {@link Padding} into explicit `[before, after]` for an input of
 * `size`, checking it. The size may be unknown unless a `'same'` padding
 * with stride > 1 depends on it.
 */
export function resolvePadding(
  op: string,
  size: number | undefined,
  padding: Padding,
  window: WindowOptions,
): [number, number] {
  if (typeof padding === 'string') {
    if (padding === 'valid') return [0, 0];
    if (padding === 'same' || padding === 'same-lower') {
      return samePadding(window.kernel, { ...window, size, lower: padding === 'same-lower' });
    }
    throw new ShapeError(
      op,
      `unknown padding mode ${show(padding)}: use 'valid', 'same', 'same-lower', a number or [before, after]`,
      { padding },
    );
  }
  if (typeof padding === 'number') {
    assertNonNegativeInt(op, 'padding', padding);
    return [padding, padding];
  }
  if (!Array.isArray(padding) || padding.length !== 2) {
    throw new ShapeError(
      op,
      `padding must be a number, [before, after] or one of ${MODES.map(show).join(', ')}, received ${show(padding)}`,
      { padding },
    );
  }
  const [before, after] = padding as readonly [number, number];
  assertNonNegativeInt(op, 'padding before', before);
  assertNonNegativeInt(op, 'padding after', after);
  return [before, after];
}

/** The padding of each axis, `[height, width]`, of a 2-D padding. */
export function axisPaddings(name: string, padding: Padding2d): [Padding, Padding] {
  if (typeof padding === 'number' || typeof padding === 'string') return [padding, padding];
  if (Array.isArray(padding) && padding.length === 2) return [padding[0], padding[1]];
  throw new ShapeError(name, `padding must be a number, a mode or [height, width], received ${show(padding)}`, {
    padding,
  });
}
