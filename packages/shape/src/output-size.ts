import { assertPositiveInt, ShapeError } from './errors.js';
import { windowOutputSize } from './formula.js';
import { checkWindow, effectiveKernel, type Padding, resolvePadding, type WindowOptions } from './padding.js';

/** Options of {@link outputSize} for one spatial axis. */
export interface OutputSizeOptions extends WindowOptions {
  /** A number (both sides), `[before, after]`, `'valid'`, `'same'` or `'same-lower'`. Default 0. */
  padding?: Padding;
  /**
   * Round the division up, as ONNX/PyTorch `ceil_mode` do: a last, partial
   * window is kept unless it would start inside the end padding. Default false.
   */
  ceilMode?: boolean;
  /** Throw a {@link ShapeError} when the division is not exact, instead of flooring. Default false. */
  strict?: boolean;
  /** The name used in error messages (a layer name). Default `'outputSize'`. */
  op?: string;
}

/** How an output size came about, for people: the formula with its numbers, and fixes when it is inexact. */
export interface OutputSizeExplanation {
  /** The output size: floored (or ceiled in ceil mode), as every framework computes it. */
  size: number;
  /** Whether `(n + before + after − span)` divides by the stride. */
  exact: boolean;
  /** The padding that was applied, `[before, after]`. */
  padding: [number, number];
  /** The input elements one window spans, `dilation·(kernel − 1) + 1`. */
  span: number;
  /** The unrounded value of `(n + before + after − span)/stride + 1`. */
  quotient: number;
  /** The formula with its numbers, e.g. `(28 + 2·0 − 5)/2 + 1 = 12.5`. */
  formula: string;
  /** When inexact: what gives an integer, e.g. `padding [0, 1] (→ 13)`, `stride 1 (→ 24)`. */
  fixes: string[];
}

/**
 * The output size of a convolution or pooling window along one axis:
 * `floor((n + before + after − dilation·(kernel − 1) − 1) / stride) + 1`,
 * the lecture's `(N − K + 2P)/S + 1`.
 *
 * @example
 * ```ts
 * outputSize(6, { kernel: 3 });                         // 4
 * outputSize(227, { kernel: 11, stride: 4 });           // 55 (AlexNet conv1)
 * outputSize(28, { kernel: 3, padding: 'same' });       // 28
 * outputSize(28, { kernel: 5, stride: 2, strict: true });
 * // ShapeError: outputSize: (28 + 2·0 − 5)/2 + 1 = 12.5 is not an integer: …
 * ```
 */
export function outputSize(n: number, options: OutputSizeOptions): number {
  const explained = explainOutputSize(n, options);
  if (options.strict) assertExact(explained, options.op ?? 'outputSize', { n, ...options });
  return explained.size;
}

/** Throws strict mode's {@link ShapeError} when an explained output size is not exact. */
export function assertExact(explained: OutputSizeExplanation, op: string, received: Record<string, unknown>): void {
  if (explained.exact) return;
  throw new ShapeError(
    op,
    `${explained.formula} is not an integer: use ${explained.fixes.join(' or ')}; without strict the size is floored to ${explained.size}`,
    received,
  );
}

/**
 * Like {@link outputSize}, but returns the computation with its formula and,
 * when the division is inexact, the paddings and strides that make it exact.
 * Throws only for geometry that cannot exist (a kernel larger than the padded input).
 *
 * @example
 * ```ts
 * explainOutputSize(28, { kernel: 5, stride: 2 }).formula; // '(28 + 2·0 − 5)/2 + 1 = 12.5'
 * ```
 */
export function explainOutputSize(n: number, options: OutputSizeOptions): OutputSizeExplanation {
  const op = options.op ?? 'outputSize';
  assertPositiveInt(op, 'input size', n);
  const { kernel, stride, dilation } = checkWindow(op, options);
  const padding = resolvePadding(op, n, options.padding ?? 0, { kernel, stride, dilation });
  const [before, after] = padding;
  const span = effectiveKernel(kernel, dilation);
  const padded = n + before + after;
  if (span > padded) {
    const spanText = dilation > 1 ? `kernel ${kernel} dilated by ${dilation} spans ${span}` : `kernel ${kernel}`;
    throw new ShapeError(
      op,
      `${spanText}, more than the padded input ${n} + ${before} + ${after} = ${padded}: use padding of at least ${span - n} in total or a smaller kernel`,
      { n, kernel, stride, dilation, padding },
    );
  }
  const numerator = padded - span;
  const exact = numerator % stride === 0;
  const size = windowOutputSize(n, span, stride, padding, options.ceilMode);
  const quotient = numerator / stride + 1;
  const padText = before === after ? `2·${before}` : `${before} + ${after}`;
  const formula = `(${n} + ${padText} − ${span})/${stride} + 1 = ${formatQuotient(quotient)}`;
  return { size, exact, padding, span, quotient, formula, fixes: exact ? [] : fixesFor(numerator, stride, padding) };
}

function formatQuotient(q: number): string {
  const rounded = Math.round(q * 1000) / 1000;
  return rounded === q ? String(q) : `${rounded}…`;
}

/** Paddings and strides that make `(numerator + extra)/stride` an integer. */
function fixesFor(numerator: number, stride: number, [before, after]: [number, number]): string[] {
  const extra = stride - (numerator % stride);
  const out = (numerator + extra) / stride + 1;
  const fixes: string[] = [];
  // A symmetric fix keeps the layer as people write it; otherwise pad the end, as 'same' does.
  if (before === after && extra % 2 === 0) fixes.push(`padding ${before + extra / 2} (→ ${out})`);
  else fixes.push(`padding [${before}, ${after + extra}] (→ ${out})`);
  for (let s = stride - 1; s >= 1; s--) {
    if (numerator % s === 0) {
      fixes.push(`stride ${s} (→ ${numerator / s + 1})`);
      break;
    }
  }
  return fixes;
}
