/**
 * The output size along one axis from a window's span (`dilation·(kernel − 1) + 1`):
 * `floor((n + before + after − span) / stride) + 1`, or in ceil mode rounded
 * up as ONNX and PyTorch do (a last window that would start in the end
 * padding is dropped). The one place convkit writes this formula; it does not
 * validate, so a window that does not fit gives a size below 1 for the caller
 * to report. `outputSize` is the checked, explained form.
 *
 * @example
 * ```ts
 * windowOutputSize(227, 11, 4, [0, 0]);      // 55
 * windowOutputSize(6, 3, 2, [0, 0], true);   // 3
 * ```
 */
export function windowOutputSize(
  n: number,
  span: number,
  stride: number,
  [before, after]: readonly [number, number],
  ceilMode = false,
): number {
  const numerator = n + before + after - span;
  let size = Math.floor(numerator / stride) + 1;
  if (ceilMode && numerator % stride !== 0) {
    size += 1;
    if ((size - 1) * stride >= n + before) size -= 1;
  }
  return size;
}
