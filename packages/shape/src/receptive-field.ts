import { assertPositiveInt } from './errors.js';
import { outputSize } from './output-size.js';
import { checkWindow, effectiveKernel, type Padding, resolvePadding, type WindowOptions } from './padding.js';

/**
 * The region of the input that one output unit sees, along one axis.
 * `size`: how many input pixels; `jump`: how far apart (in input pixels)
 * neighbouring output units are, the product of the strides; `start`: the
 * input coordinate of the centre of the first unit's field (negative or
 * fractional where padding or even kernels put it there).
 */
export interface ReceptiveField {
  size: number;
  jump: number;
  start: number;
}

/** A window layer along one axis, as {@link receptiveField} reads it. */
export interface ReceptiveFieldLayer extends WindowOptions {
  /** Default 0. */
  padding?: Padding;
}

/** The field of an input pixel: itself. */
export const PIXEL_FIELD: ReceptiveField = Object.freeze({ size: 1, jump: 1, start: 0 });

/**
 * The field after one more window layer with `padBefore` pixels of padding
 * at the start. (Araujo et al., "Computing receptive fields of CNNs", 2019.)
 */
export function growField(field: ReceptiveField, window: Required<WindowOptions>, padBefore: number): ReceptiveField {
  const span = effectiveKernel(window.kernel, window.dilation);
  return {
    size: field.size + (span - 1) * field.jump,
    jump: field.jump * window.stride,
    start: field.start + ((span - 1) / 2 - padBefore) * field.jump,
  };
}

/**
 * The receptive field through a stack of window layers along one axis, and
 * after each of them (`steps`). Pass `{ size }` when a `'same'` padding with
 * stride > 1 needs the input size.
 *
 * @example
 * ```ts
 * receptiveField([{ kernel: 3 }, { kernel: 3 }]).size;  // 5: two 3×3 see 5×5
 * receptiveField([{ kernel: 11, stride: 4 }, { kernel: 3, stride: 2 }]);
 * // { size: 19, jump: 8, start: 9, steps: [...] }
 * ```
 */
export function receptiveField(
  layers: readonly ReceptiveFieldLayer[],
  options: { size?: number } = {},
): ReceptiveField & { steps: ReceptiveField[] } {
  const op = 'receptiveField';
  let size = options.size;
  if (size !== undefined) assertPositiveInt(op, 'size', size);
  let field: ReceptiveField = PIXEL_FIELD;
  const steps: ReceptiveField[] = [];
  for (const layer of layers) {
    const window = checkWindow(op, layer);
    const [before] = resolvePadding(op, size, layer.padding ?? 0, window);
    field = growField(field, window, before);
    steps.push(field);
    if (size !== undefined) size = outputSize(size, { ...window, padding: layer.padding ?? 0, op });
  }
  return { ...field, steps };
}
