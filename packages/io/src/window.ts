import { poolWindow, type ResolvedWindow, resolveWindow, type Window2d } from '@convkit/shape';

/**
 * Sliding-window geometry for ONNX, from `@convkit/shape`'s one window
 * function: export writes explicit per-side pads (ONNX has no 'same' that
 * every runtime reads alike).
 */

/**
 * A layer's window placed on its `[h, w]` input, as `@convkit/shape` places
 * it; `'pool'` gives the stride the kernel's default.
 *
 * @example
 * ```ts
 * placeLayerWindow('conv1', [28, 28], { kernel: 5, padding: 'same' }).padding; // [[2, 2], [2, 2]]
 * ```
 */
export function placeLayerWindow(
  layer: string,
  [h, w]: readonly number[],
  config: Record<string, unknown>,
  kind: 'conv' | 'pool' = 'conv',
): ResolvedWindow {
  const window = {
    kernel: config.kernel,
    stride: config.stride,
    dilation: config.dilation,
    padding: config.padding,
  } as Window2d;
  return resolveWindow(layer, [h ?? 0, w ?? 0], kind === 'pool' ? poolWindow(window) : window);
}

/**
 * ONNX `pads` (`[top, left, bottom, right]`) of a placed window.
 *
 * @example
 * ```ts
 * onnxPads(placeLayerWindow('conv1', [28, 28], { kernel: 5, padding: 'same' })); // [2, 2, 2, 2]
 * ```
 */
export function onnxPads({ padding: [[top, bottom], [left, right]] }: Pick<ResolvedWindow, 'padding'>) {
  return [top, left, bottom, right] as [number, number, number, number];
}
