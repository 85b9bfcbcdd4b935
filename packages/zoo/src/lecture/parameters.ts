// Counting parameters: the lecture's convolution example and AlexNet's first
// layer, through @convkit/shape's parameter formulas.
import { convParams, denseParams, formatCount, type TraceRow, trace } from '@convkit/shape';

/**
 * Parameters of a convolution layer: `(K·K·C + 1)` per filter, times the
 * filters; the course's example is 28×28×3 with 100 filters of 3×3 → 28 and
 * 2,800. Also what a fully connected layer between the same two volumes
 * would need, which is why sharing matters.
 */
export function parameterExample(height = 28, width = 28, channels = 3, filters = 100, kernel = 3) {
  const perFilter = convParams({ inChannels: channels, filters: 1, kernel });
  const total = convParams({ inChannels: channels, filters, kernel });
  const weightsOnly = convParams({ inChannels: channels, filters, kernel, bias: false });
  const t = trace([height, width, channels], [{ type: 'conv', filters, kernel, padding: 'same' }]);
  const [oh, ow] = (t.rows[0] as TraceRow).outputShape as [number, number, number];
  const dense = denseParams({ inFeatures: height * width * channels, units: oh * ow * filters });
  return {
    perFilter,
    perFilterFormula: `${kernel}·${kernel}·${channels} + 1 = ${formatCount(perFilter)}`,
    total,
    totalText: formatCount(total),
    totalFormula: `${formatCount(perFilter)} × ${filters} = ${formatCount(total)}`,
    weightsOnly,
    output: `${oh}×${ow}×${filters}`,
    dense,
    denseText: formatCount(dense),
    ratio: Math.round(dense / total),
  };
}

/** AlexNet's first layer, as counted in the lecture: 96 filters of 11×11×3. */
export function alexnetConv1Params() {
  return {
    weights: convParams({ inChannels: 3, filters: 96, kernel: 11, bias: false }),
    withBias: convParams({ inChannels: 3, filters: 96, kernel: 11 }),
  };
}
