import { resolveWindow, type Window2d } from '@convkit/shape';

/** Explicit NHWC padding, as tfjs ops take it. */
export type ExplicitPadding = [[0, 0], [number, number], [number, number], [0, 0]];

/** A sliding window's options, as conv and pooling layers configure them (pools fill the stride with `poolWindow`). */
export type WindowConfig = Omit<Window2d, 'strict'>;

/**
 * Where a window goes on an input of `[height, width]`: `@convkit/shape`'s
 * `resolveWindow` (so 'same', per-side and ceil mode mean exactly what the
 * shape math says), with the padding written as tfjs ops take it (NHWC).
 */
export function placeWindow(layer: string, input: [number, number], config: WindowConfig) {
  const { kernel, stride, dilation, output, padding, extended } = resolveWindow(layer, input, config);
  return {
    kernel,
    stride,
    dilation,
    output,
    /** The padding the user asked for (explicit and 'same'). */
    padding: nhwc(padding),
    /** That padding plus what ceil mode adds at the end. */
    extended: nhwc(extended),
  };
}

function nhwc([rows, cols]: [[number, number], [number, number]]): ExplicitPadding {
  return [[0, 0], rows, cols, [0, 0]];
}
