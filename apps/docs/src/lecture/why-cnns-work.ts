// "Why CNNs work": the same weights fit any input size, and each output
// reads a small window instead of the whole image.
import { denseParams, formatCount, type TraceRow, trace } from '@convkit/shape';

/** A conv layer's output size for several input sizes: the same weights work on any image at least as large as the kernel. */
export function variableInputSizes() {
  return [28, 32, 64, 227].map((n) => {
    const t = trace(
      [n, n, 3],
      [
        { type: 'conv', filters: 16, kernel: 5 },
        { type: 'pool', kernel: 2 },
      ],
    );
    return { input: `${n}×${n}×3`, output: t.output.join('×'), params: formatCount(t.totals.params) };
  });
}

/** Sparse interactions: connections of one conv layer vs a dense layer between the same volumes. */
export function sparseInteractions() {
  const conv = trace([32, 32, 3], [{ type: 'conv', filters: 6, kernel: 5, padding: 'same' }]);
  const row = conv.rows[0] as TraceRow;
  const dense = denseParams({ inFeatures: 32 * 32 * 3, units: 32 * 32 * 6 });
  return {
    convParams: formatCount(row.params.trainable),
    convMacs: formatCount(row.macs),
    denseParams: formatCount(dense),
    inputsPerOutput: 5 * 5 * 3,
    denseInputsPerOutput: formatCount(32 * 32 * 3),
  };
}
