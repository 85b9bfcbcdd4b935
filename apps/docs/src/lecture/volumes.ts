// Volumes and padding pages: a filter's depth equals its input's, and zero
// padding is what stops a stack of convolutions from shrinking the image.
import { convParams, type TraceRow, trace } from '@convkit/shape';

/** A 32×32×3 image through one layer of six 5×5×3 filters: filter depth equals input depth. */
export function volumeExample() {
  const t = trace([32, 32, 3], [{ type: 'conv', filters: 6, kernel: 5 }]);
  const row = t.rows[0] as TraceRow;
  return {
    input: t.input.join('×'),
    filter: '5×5×3',
    output: row.outputShape.join('×'),
    perFilter: convParams({ inChannels: 3, filters: 1, kernel: 5 }),
    params: row.params.trainable,
    formula: row.formulas?.[0] ?? '',
  };
}

/** Six 5×5 convolutions on a 32×32 image, without and with zero padding 2: the map shrinks by 4 per layer or keeps its size. */
export function shrinkingStack(layers = 6) {
  const stack = (padding: number) =>
    trace(
      [32, 32, 3],
      Array.from({ length: layers }, () => ({ type: 'conv' as const, filters: 10, kernel: 5, padding })),
    ).rows.map((r) => r.outputShape.slice(0, 2).join('×'));
  return { valid: stack(0), same: stack(2) };
}
