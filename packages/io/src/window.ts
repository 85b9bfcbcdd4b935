/**
 * Sliding-window geometry as convkit's layers configure it, resolved to
 * explicit per-side padding for one input size (ONNX has no 'same' that
 * every runtime reads alike, so export writes pads).
 */

/** One axis' padding as a layer config gives it. */
type AxisPadding = number | readonly [number, number] | 'valid' | 'same' | 'same-lower';

const pair = (v: unknown): [number, number] =>
  typeof v === 'number' ? [v, v] : Array.isArray(v) ? [Number(v[0]), Number(v[1])] : [1, 1];

/**
 * A window's kernel, stride and dilation as `[height, width]` pairs. The
 * stride defaults to 1 for convolutions and to the kernel for pools.
 */
export function windowPairs(
  config: { kernel?: unknown; stride?: unknown; dilation?: unknown },
  defaultStride: 'one' | 'kernel' = 'one',
) {
  const kernel = pair(config.kernel);
  const stride =
    config.stride !== undefined
      ? pair(config.stride)
      : defaultStride === 'kernel'
        ? kernel
        : ([1, 1] as [number, number]);
  return { kernel, stride, dilation: pair(config.dilation ?? 1) };
}

function axisPadding(padding: unknown, axis: 0 | 1): AxisPadding {
  if (typeof padding === 'number' || typeof padding === 'string') return padding as AxisPadding;
  if (Array.isArray(padding)) return padding[axis] as AxisPadding;
  return 0;
}

/** `[before, after]` of one axis for an input of `n`, as `@convkit/shape` resolves it. */
export function resolveAxis(
  n: number,
  kernel: number,
  stride: number,
  dilation: number,
  padding: AxisPadding,
): [number, number] {
  if (typeof padding === 'number') return [padding, padding];
  if (Array.isArray(padding)) return [padding[0] as number, padding[1] as number];
  if (padding === 'valid') return [0, 0];
  const span = dilation * (kernel - 1) + 1;
  const total = Math.max(0, (Math.ceil(n / stride) - 1) * stride + span - n);
  const small = Math.floor(total / 2);
  return padding === 'same-lower' ? [total - small, small] : [small, total - small];
}

/**
 * ONNX `pads` (`[top, left, bottom, right]`) for a layer's `padding` config on a `[h, w]` input.
 *
 * @example
 * ```ts
 * onnxPads([28, 28], { kernel: 5, padding: 'same' }); // [2, 2, 2, 2]
 * ```
 */
export function onnxPads(
  [h, w]: readonly number[],
  config: { kernel?: unknown; stride?: unknown; dilation?: unknown; padding?: unknown },
  defaultStride: 'one' | 'kernel' = 'one',
): [number, number, number, number] {
  const { kernel, stride, dilation } = windowPairs(config, defaultStride);
  const padding = config.padding ?? 0;
  const [top, bottom] = resolveAxis(h ?? 0, kernel[0], stride[0], dilation[0], axisPadding(padding, 0));
  const [left, right] = resolveAxis(w ?? 0, kernel[1], stride[1], dilation[1], axisPadding(padding, 1));
  return [top, left, bottom, right];
}

/**
 * The output size along one axis: floor, or ceil as ONNX and PyTorch define
 * it (a last window that would start in the end padding is dropped).
 */
export function outputSize(
  n: number,
  kernel: number,
  stride: number,
  dilation: number,
  [before, after]: readonly [number, number],
  ceil = false,
): number {
  const numerator = n + before + after - (dilation * (kernel - 1) + 1);
  let size = Math.floor(numerator / stride) + 1;
  if (ceil && numerator % stride !== 0) {
    size += 1;
    if ((size - 1) * stride >= n + before) size -= 1;
  }
  return size;
}
