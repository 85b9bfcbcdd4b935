import { explainOutputSize, type OutputSizeExplanation } from '@convkit/shape';
import { type Schema, validate } from './state.js';

/** The shape calculator's inputs: one spatial axis of a convolution or pooling window. */
export interface ShapeCalcState {
  n: number;
  kernel: number;
  stride: number;
  /** A number of pixels on each side, or 'same' / 'valid'. */
  padding: number | 'same' | 'valid';
  dilation: number;
  ceilMode: boolean;
}

export const SHAPE_CALC_DEFAULTS: ShapeCalcState = {
  n: 227,
  kernel: 11,
  stride: 4,
  padding: 0,
  dilation: 1,
  ceilMode: false,
};

export const SHAPE_CALC_SCHEMA: Schema = {
  n: { kind: 'int', min: 1, max: 100_000 },
  kernel: { kind: 'int', min: 1, max: 10_000 },
  stride: { kind: 'int', min: 1, max: 10_000 },
  padding: { kind: 'intOrEnum', min: 0, max: 10_000, values: ['same', 'valid'] },
  dilation: { kind: 'int', min: 1, max: 1_000 },
  ceilMode: { kind: 'boolean' },
};

export type ShapeCalcResult =
  | { ok: true; explanation: OutputSizeExplanation; summary: string }
  | { ok: false; error: string };

/**
 * The output size with its formula; or, for a field the link format would
 * refuse (the same schema checks both), that field's rule; or the library's
 * error for geometry that cannot exist.
 */
export function calculate(state: ShapeCalcState): ShapeCalcResult {
  const checked = validate(state, SHAPE_CALC_SCHEMA, SHAPE_CALC_DEFAULTS);
  if (!checked.ok) return { ok: false, error: `${checked.error[0]?.toUpperCase()}${checked.error.slice(1)}.` };
  try {
    const explanation = explainOutputSize(state.n, {
      kernel: state.kernel,
      stride: state.stride,
      padding: state.padding,
      dilation: state.dilation,
      ceilMode: state.ceilMode,
      op: 'output size',
    });
    const rounding = state.ceilMode ? 'rounded up (ceil mode)' : 'floored, as every framework does';
    const summary = explanation.exact
      ? `${explanation.formula}: the window fits exactly, ${explanation.size} outputs`
      : `${explanation.formula} is not an integer: ${rounding}, ${explanation.size} outputs; for an exact fit use ${explanation.fixes.join(' or ')}`;
    return { ok: true, explanation, summary };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}
