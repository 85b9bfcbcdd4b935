// GoogLeNet's Table 1 (Szegedy et al. 2015), computed by `summary` on the
// zoo's model and set beside the figures the paper prints.
import { summary } from '@convkit/layers';
import { formatCount, formatMetric, type TraceRow } from '@convkit/shape';
import { getModel } from '../index.js';

/**
 * Table 1 of Szegedy et al. (GoogLeNet) as printed: per stage "params" (K)
 * and "ops" (M). Not computed here: these are the paper's figures, shown
 * beside the computed ones.
 */
export const GOOGLENET_PAPER: Record<string, { params: number; ops: number }> = {
  conv1: { params: 2.7, ops: 34 },
  conv2: { params: 112, ops: 360 },
  '3a': { params: 159, ops: 128 },
  '3b': { params: 380, ops: 304 },
  '4a': { params: 364, ops: 73 },
  '4b': { params: 437, ops: 88 },
  '4c': { params: 463, ops: 100 },
  '4d': { params: 580, ops: 119 },
  '4e': { params: 840, ops: 170 },
  '5a': { params: 1072, ops: 54 },
  '5b': { params: 1388, ops: 71 },
  linear: { params: 1000, ops: 1 },
};

/** One stage of the table: computed weights (K) and MACs (M) beside the paper's. */
export interface GoogLeNetStage {
  stage: string;
  type: string;
  output: string;
  /** An inception module's #1×1, #3×3 reduce, #3×3, #5×5 reduce, #5×5, pool proj. */
  widths: string[];
  weightsK: string;
  macsM: string;
  paperParams: string;
  paperOps: string;
  /**
   * 'yes' when weights (K = 1,024) and MACs (M = 10⁶), the units of the paper's table, both agree
   * with its print (within 2 % or its rounding), '' for stages the paper leaves blank.
   */
  agrees: string;
}

/** Weights without biases (one bias per output channel of a conv or dense row), as the paper counts. */
function weightsOf(rows: readonly TraceRow[]): number {
  return rows.reduce((sum, r) => {
    if (r.branches) return sum + weightsOf(r.branches.flat());
    if (r.type === 'conv' || r.type === 'dense') return sum + r.params.trainable - (r.outputShape.at(-1) as number);
    return sum;
  }, 0);
}

/**
 * Whether a computed figure agrees with the paper's printed one: within 2 %,
 * or within the rounding of the print (half a unit of its last digit). The
 * paper prints the linear layer's 1,024,000 MACs as "1" (M): 1.024 is 2.4 %
 * off but rounds to what is printed, so it agrees.
 */
function agreesWith(value: number, paper: number): boolean {
  const decimals = String(paper).split('.')[1]?.length ?? 0;
  const halfUnit = 0.5 * 10 ** -decimals;
  return Math.abs(value - paper) / paper < 0.02 || Math.abs(value - paper) <= halfUnit;
}

function stageRow(stage: string, type: string, rows: readonly TraceRow[], widths: string[] = []): GoogLeNetStage {
  const paper = GOOGLENET_PAPER[stage];
  const weights = weightsOf(rows);
  const macs = rows.reduce((s, r) => s + r.macs, 0);
  const weightsK = weights / 1024;
  const macsM = macs / 1e6;
  return {
    stage,
    type,
    output: (rows.at(-1) as TraceRow).outputShape.join('×'),
    widths,
    weightsK: weights ? weightsK.toFixed(1) : '',
    macsM: macs ? macsM.toFixed(1) : '',
    paperParams: paper ? String(paper.params) : '',
    paperOps: paper ? String(paper.ops) : '',
    agrees: paper ? (agreesWith(weightsK, paper.params) && agreesWith(macsM, paper.ops) ? 'yes' : 'no') : '',
  };
}

/** The filter counts of an inception module in the paper's column order. */
function inceptionWidths(module: TraceRow): string[] {
  const [one, three, five, pool] = (module.branches ?? []).map((b) =>
    b.filter((x) => x.type === 'conv').map((x) => x.outputShape[2]),
  );
  return [one?.[0], three?.[0], three?.[1], five?.[0], five?.[1], pool?.[0]].map((w) => String(w ?? ''));
}

/** Walks the summary's rows into the paper's stages: runs of convolutions, pools, inception modules, the linear layer. */
function stagesOf(rows: readonly TraceRow[]): GoogLeNetStage[] {
  const out: GoogLeNetStage[] = [];
  let convRun: TraceRow[] = [];
  let convStage = 1;
  for (const r of rows) {
    if (r.type === 'conv') {
      convRun.push(r);
      continue;
    }
    const closesConvRun = r.type === 'pool' || r.type === 'concat' || r.type === 'dense' || r.type === 'globalPool';
    if (closesConvRun && convRun.length > 0) {
      out.push(stageRow(`conv${convStage++}`, 'convolution', convRun));
      convRun = [];
    }
    if (r.type === 'pool' || r.type === 'globalPool') {
      out.push({ ...stageRow(r.name, r.type === 'pool' ? 'max pool' : 'avg pool', [r]), weightsK: '', macsM: '' });
    } else if (r.type === 'concat') {
      out.push(stageRow(r.name.replace(/^inception_?/, ''), 'inception', [r], inceptionWidths(r)));
    } else if (r.type === 'dense') {
      out.push(stageRow('linear', 'linear', [r]));
    }
  }
  return out;
}

/**
 * GoogLeNet's Table 1, computed: per stage the output, the inception
 * module's filter counts, weights (K = 1024, biases left out as the paper
 * does) and MACs (M), next to the paper's printed figures.
 */
export function googlenetTable() {
  const input: [number, number, number] = [224, 224, 3];
  const s = summary(getModel('googlenet'), { input });
  return {
    rows: stagesOf(s.rows),
    params: formatCount(s.totals.params),
    macs: formatMetric(s.totals.macs, 'MACs'),
    withAux: formatCount(summary(getModel('googlenet', { auxLogits: true }), { input }).totals.params),
  };
}
