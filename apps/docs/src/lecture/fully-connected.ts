// The fully connected page: LeNet-5's first dense layer counted by hand, and
// how much of VGG-16 and AlexNet their dense layers hold.
import { Dense, Flatten, summary } from '@convkit/layers';
import { denseParams, formatCount, type TraceRow } from '@convkit/shape';
import { getModel } from '@convkit/zoo';

function denseShare(model: string, input: [number, number, number]) {
  const s = summary(getModel(model), { input });
  const dense = s.rows.filter((r) => r.type === 'dense').reduce((sum, r) => sum + r.params.trainable, 0);
  return { s, total: formatCount(s.totals.params), share: `${((100 * dense) / s.totals.params).toFixed(1)}%` };
}

/** Fully connected layers: LeNet-5's and VGG-16's, and their share of the parameters. */
export function fullyConnectedExamples() {
  const flat = new Flatten().outputShape([5, 5, 16])[0] as number;
  const lenetF = denseParams({ inFeatures: flat, units: 120 });
  const vgg = denseShare('vgg16', [224, 224, 3]);
  const alex = denseShare('alexnet', [227, 227, 3]);
  const fc6 = vgg.s.rows.find((r) => r.name === 'fc6') as TraceRow;
  return {
    flatten: flat,
    lenetDense: lenetF,
    lenetFormula: `${flat}·120 + 120 = ${formatCount(lenetF)}`,
    denseOutput: new Dense({ units: 120 }).outputShape([flat])[0],
    fc6: formatCount(fc6.params.trainable),
    fc6Input: formatCount(fc6.inputShape[0] as number),
    vggTotal: vgg.total,
    vggDenseShare: vgg.share,
    alexTotal: alex.total,
    alexDenseShare: alex.share,
  };
}
