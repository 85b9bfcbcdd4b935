// VGG in the lecture: configurations A–E against the paper's Table 2, and
// VGG-16's memory per image against cs231n's printed list, all computed by
// `summary` on the zoo's own models.
import { summary } from '@convkit/layers';
import { formatBytes, formatCount, formatMetric, type TraceRow } from '@convkit/shape';
import { getModel } from '../index.js';

/** Table 2 of Simonyan & Zisserman: parameters in millions per configuration, as printed. */
export const VGG_PAPER_PARAMS_M: Record<string, number> = { A: 133, 'A-LRN': 133, B: 133, C: 134, D: 138, E: 144 };

const IMAGENET: [number, number, number] = [224, 224, 3];

function trainableOf(rows: readonly TraceRow[], type: TraceRow['type']): number {
  return rows.filter((r) => r.type === type).reduce((a, r) => a + r.params.trainable, 0);
}

const percent = (part: number, whole: number) => `${((100 * part) / whole).toFixed(1)}%`;

/** VGG A–E: weight layers, parameters (computed vs the paper's Table 2), MACs and memory per image. */
export function vggConfigurations() {
  return Object.keys(VGG_PAPER_PARAMS_M).map((config) => {
    const name = `vgg-${config.toLowerCase()}`;
    const s = summary(getModel(name), { input: IMAGENET });
    return {
      config,
      name,
      weightLayers: s.rows.filter((r) => r.type === 'conv' || r.type === 'dense').length,
      params: formatCount(s.totals.params),
      paramsRaw: s.totals.params,
      paper: `${VGG_PAPER_PARAMS_M[config]} M`,
      convShare: percent(trainableOf(s.rows, 'conv'), s.totals.params),
      macs: formatMetric(s.totals.macs, 'MACs'),
      activations: formatCount(s.totals.activations),
      memory: formatBytes(s.memory.activationsPerImage),
    };
  });
}

/** cs231n's VGG-16 memory list, as printed in the course notes (values per image). */
export const CS231N_VGG16 = {
  rows: [
    ['INPUT', '224×224×3', '150K'],
    ['CONV3-64', '224×224×64', '3.2M'],
    ['CONV3-64', '224×224×64', '3.2M'],
    ['POOL2', '112×112×64', '800K'],
    ['CONV3-128', '112×112×128', '1.6M'],
    ['CONV3-128', '112×112×128', '1.6M'],
    ['POOL2', '56×56×128', '400K'],
    ['CONV3-256', '56×56×256', '800K'],
    ['CONV3-256', '56×56×256', '800K'],
    ['CONV3-256', '56×56×256', '800K'],
    ['POOL2', '28×28×256', '200K'],
    ['CONV3-512', '28×28×512', '400K'],
    ['CONV3-512', '28×28×512', '400K'],
    ['CONV3-512', '28×28×512', '400K'],
    ['POOL2', '14×14×512', '100K'],
    ['CONV3-512', '14×14×512', '100K'],
    ['CONV3-512', '14×14×512', '100K'],
    ['CONV3-512', '14×14×512', '100K'],
    ['POOL2', '7×7×512', '25K'],
    ['FC', '1×1×4096', '4096'],
    ['FC', '1×1×4096', '4096'],
    ['FC', '1×1×1000', '1000'],
  ] as const,
  total: '24M × 4 bytes ≈ 93MB / image (only forward! ~×2 for bwd)',
  params: '138M parameters',
};

function parseApprox(text: string): number {
  const m = /^([\d.]+)([KM]?)$/.exec(text);
  if (!m) return Number.NaN;
  return Number(m[1]) * (m[2] === 'M' ? 1e6 : m[2] === 'K' ? 1e3 : 1);
}

/**
 * VGG-16's forward activations per image as cs231n lists them: the input and
 * every conv, pool and FC output (flatten is a view; dropout is the identity
 * at inference, so its copy is left out as the course does).
 */
export function vgg16Activations() {
  const s = summary(getModel('vgg16'), { input: IMAGENET });
  const stored = s.rows.filter((r) => r.activationBytes > 0 && r.type !== 'dropout');
  const rows = [
    { name: 'input', output: s.input.join('×'), values: s.input.reduce((a, b) => a * b, 1) },
    ...stored.map((r) => ({ name: r.name, output: r.outputShape.join('×'), values: r.activations })),
  ];
  return { summary: s, rows, total: rows.reduce((a, r) => a + r.values, 0) };
}

/**
 * VGG-16's memory per image: cs231n's printed list and total next to the
 * exact count from `summary`, with what each number is.
 */
export function vggMemory() {
  const { summary: s, rows: exactRows, total: exact } = vgg16Activations();
  const printedSum = CS231N_VGG16.rows.reduce((a, r) => a + parseApprox(r[2]), 0);
  const convOutputs = s.rows.filter((r) => r.type === 'conv').reduce((a, r) => a + r.activations, 0);
  const firstBlock = exactRows.slice(0, 4).reduce((a, r) => a + r.values, 0);
  return {
    printedRows: CS231N_VGG16.rows.map(([layer, shape, memory]) => ({ layer, shape, memory })),
    printedTotal: CS231N_VGG16.total,
    printedSum,
    printedSumText: `${(printedSum / 1e6).toFixed(1)} M`,
    printed24MBytes: formatBytes(24e6 * 4),
    printed24MBinary: formatBytes(24e6 * 4, { binary: true }),
    exactRows: exactRows.map((r) => ({ ...r, valuesText: formatCount(r.values) })),
    exact,
    exactText: formatCount(exact),
    exactBytes: formatBytes(exact * 4),
    exactBinary: formatBytes(exact * 4, { binary: true }),
    traceTotal: formatCount(s.totals.activations),
    withReluCopies: formatCount(exact + convOutputs),
    withReluCopiesBytes: formatBytes((exact + convOutputs) * 4),
    firstBlockShare: `${((100 * firstBlock) / exact).toFixed(0)}%`,
    params: formatCount(s.totals.params),
    paramsBytes: formatBytes(s.memory.weights),
    fcShare: percent(trainableOf(s.rows, 'dense'), s.totals.params),
    training64: formatBytes(summary(getModel('vgg16'), { input: IMAGENET, batch: 64 }).memory.training),
  };
}
