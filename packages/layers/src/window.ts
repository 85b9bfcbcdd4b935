import { axisPaddings, explainOutputSize, type Padding2d, type Size2 } from '@convkit/shape';

/** Explicit NHWC padding, as tfjs ops take it. */
export type ExplicitPadding = [[0, 0], [number, number], [number, number], [0, 0]];

/** A sliding window's options, as conv and pooling layers configure them. */
export interface WindowConfig {
  kernel: Size2;
  stride: Size2;
  padding: Padding2d;
  dilation?: Size2;
  ceilMode?: boolean;
}

const pair = (v: Size2): [number, number] => (typeof v === 'number' ? [v, v] : [v[0], v[1]]);

/**
 * Where a window goes on an input of `[height, width]`: the padding on each
 * side (resolved through `@convkit/shape`, so 'same', per-side and ceil mode
 * mean exactly what the shape math says) and the output size. Ceil mode's
 * last partial window becomes extra end padding.
 */
export function placeWindow(layer: string, [h, w]: [number, number], config: WindowConfig) {
  const kernel = pair(config.kernel);
  const stride = pair(config.stride);
  const dilation = pair(config.dilation ?? 1);
  const paddings = axisPaddings(layer, config.padding);
  const axis = (k: 0 | 1, n: number) => {
    const options = {
      kernel: kernel[k],
      stride: stride[k],
      dilation: dilation[k],
      padding: paddings[k],
      ceilMode: config.ceilMode ?? false,
      op: layer,
    };
    const { size, padding } = explainOutputSize(n, options);
    const span = dilation[k] * (kernel[k] - 1) + 1;
    // Ceil mode: pad the end so the last (partial) window exists.
    const after = Math.max(padding[1], (size - 1) * stride[k] + span - n - padding[0]);
    return { size, padding: padding as [number, number], extended: [padding[0], after] as [number, number] };
  };
  const rows = axis(0, h);
  const cols = axis(1, w);
  return {
    kernel,
    stride,
    dilation,
    output: [rows.size, cols.size] as [number, number],
    /** The padding the user asked for (explicit and 'same'). */
    padding: [[0, 0], rows.padding, cols.padding, [0, 0]] as ExplicitPadding,
    /** That padding plus what ceil mode adds at the end. */
    extended: [[0, 0], rows.extended, cols.extended, [0, 0]] as ExplicitPadding,
  };
}
