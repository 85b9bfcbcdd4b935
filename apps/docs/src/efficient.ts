/**
 * The "Efficient networks" page: what a depthwise separable convolution
 * saves, computed with @convkit/shape's own parameter and MAC counts (the
 * ones every layer's summary uses), and the efficient networks' papers side
 * by side with what they report.
 */
import { convMacs, convParams, formatCount, ShapeError } from '@convkit/shape';

/** One convolution layer's geometry: a k×k kernel from `inChannels` to `outChannels` on an output map of `height`×`width`. */
export interface SeparableInput {
  kernel: number;
  inChannels: number;
  outChannels: number;
  height: number;
  width: number;
}

/** MobileNet v1's 14×14 stage: 3×3 from 512 to 512 channels (the paper's five repeated layers). */
export const SEPARABLE_DEFAULTS: SeparableInput = {
  kernel: 3,
  inChannels: 512,
  outChannels: 512,
  height: 14,
  width: 14,
};

export interface SeparableCost {
  /** The standard convolution: k²·cin·cout·h·w MACs, k²·cin·cout weights. */
  standard: { macs: number; params: number };
  /** Depthwise k×k (one filter per input channel): k²·cin·h·w MACs. */
  depthwise: { macs: number; params: number };
  /** Pointwise 1×1 from cin to cout: cin·cout·h·w MACs. */
  pointwise: { macs: number; params: number };
  /** depthwise + pointwise. */
  separable: { macs: number; params: number };
  /** separable ÷ standard, from the counts. */
  ratio: number;
  /** The paper's closed form 1/cout + 1/k², which `ratio` equals. */
  formulaRatio: number;
  /** The formulas with the numbers in, for the page. */
  text: { standard: string; depthwise: string; pointwise: string; ratio: string };
}

/**
 * The cost of a k×k convolution against its depthwise separable
 * factorization (MobileNet, Howard et al. 2017, section 3.1), biases left
 * out as the paper does. Every count comes from `convMacs`/`convParams`;
 * invalid geometry throws their `ShapeError`.
 */
export function separableCost(input: SeparableInput): SeparableCost {
  const { kernel: k, inChannels: cin, outChannels: cout, height: h, width: w } = input;
  const output: [number, number] = [h, w];
  const layer = (o: { inChannels: number; filters: number; kernel: number; groups?: number; op: string }) => ({
    macs: convMacs({ ...o, bias: false, output }),
    params: convParams({ ...o, bias: false }),
  });
  const standard = layer({ inChannels: cin, filters: cout, kernel: k, op: 'standard conv' });
  const depthwise = layer({ inChannels: cin, filters: cin, kernel: k, groups: cin, op: 'depthwise conv' });
  const pointwise = layer({ inChannels: cin, filters: cout, kernel: 1, op: 'pointwise conv' });
  const separable = { macs: depthwise.macs + pointwise.macs, params: depthwise.params + pointwise.params };
  const n = formatCount;
  return {
    standard,
    depthwise,
    pointwise,
    separable,
    ratio: separable.macs / standard.macs,
    formulaRatio: 1 / cout + 1 / (k * k),
    text: {
      standard: `${k}²·${cin}·${cout}·${h}·${w} = ${n(standard.macs)}`,
      depthwise: `${k}²·${cin}·${h}·${w} = ${n(depthwise.macs)}`,
      pointwise: `${cin}·${cout}·${h}·${w} = ${n(pointwise.macs)}`,
      ratio: `1/${cout} + 1/${k}² = ${(1 / cout + 1 / (k * k)).toFixed(4)}`,
    },
  };
}

/** What the calculator shows: the costs, or the library's message for geometry that cannot exist. */
export type SeparableResult = ({ ok: true } & SeparableCost) | { ok: false; error: string };

export function trySeparableCost(input: SeparableInput): SeparableResult {
  try {
    return { ok: true, ...separableCost(input) };
  } catch (error) {
    if (error instanceof ShapeError) return { ok: false, error: error.message };
    throw error;
  }
}
