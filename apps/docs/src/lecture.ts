/**
 * The numbers of the course pages, computed by the library: each function
 * returns plain data that a component renders (on the server at build time
 * and again in the browser) and that the tests check.
 */
import { Dense, Flatten, summary } from '@convkit/layers';
import {
  convParams,
  denseParams,
  explainOutputSize,
  formatBytes,
  formatCount,
  formatMetric,
  outputSize,
  receptiveField,
  samePadding,
  type TraceRow,
  trace,
} from '@convkit/shape';
import { getModel, modelCard } from '@convkit/zoo';

/** The lecture's 6×6 black-and-white image (1 = ink), with a diagonal and a vertical stroke. */
export const IMAGE_6X6: number[][] = [
  [1, 0, 0, 0, 0, 1],
  [0, 1, 0, 0, 1, 0],
  [0, 0, 1, 1, 0, 0],
  [1, 0, 0, 0, 1, 0],
  [0, 1, 0, 0, 1, 0],
  [0, 0, 1, 0, 1, 0],
];

/** Its two 3×3 filters: a diagonal detector and a vertical-line detector. */
export const FILTERS_3X3: { name: string; weights: number[][] }[] = [
  {
    name: 'Filter 1',
    weights: [
      [1, -1, -1],
      [-1, 1, -1],
      [-1, -1, 1],
    ],
  },
  {
    name: 'Filter 2',
    weights: [
      [-1, 1, -1],
      [-1, 1, -1],
      [-1, 1, -1],
    ],
  },
];

/** One output of a convolution, with its work shown. */
export interface ConvStep {
  row: number;
  col: number;
  /** Top-left input pixel of the window (negative inside the padding). */
  top: number;
  left: number;
  /** `x·w` for each of the window's pixels, row-major; padded pixels are 0. */
  terms: { x: number; w: number }[];
  value: number;
}

/** Every output position of a single-channel convolution (cross-correlation, as in every framework), worked out. */
export function convolutionSteps(image: number[][], kernel: number[][], stride = 1, padding = 0): ConvStep[] {
  const n = image.length;
  const k = kernel.length;
  const size = outputSize(n, { kernel: k, stride, padding });
  const steps: ConvStep[] = [];
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) {
      const top = row * stride - padding;
      const left = col * stride - padding;
      const terms: { x: number; w: number }[] = [];
      for (let i = 0; i < k; i++) {
        for (let j = 0; j < k; j++) {
          const x = image[top + i]?.[left + j] ?? 0;
          terms.push({ x, w: kernel[i]?.[j] ?? 0 });
        }
      }
      steps.push({ row, col, top, left, terms, value: terms.reduce((s, t) => s + t.x * t.w, 0) });
    }
  }
  return steps;
}

/** `3·1 + …` written out: the sum of products of one step. */
export function stepFormula(step: ConvStep): string {
  const parts = step.terms.map(({ x, w }) => `${x}·${w < 0 ? `(${w})` : w}`);
  return `${parts.join(' + ')} = ${step.value}`;
}

/** A square map from its steps, row-major. */
export function mapOf(steps: ConvStep[]): number[][] {
  const size = Math.round(Math.sqrt(steps.length));
  return Array.from({ length: size }, (_, r) => steps.slice(r * size, (r + 1) * size).map((s) => s.value));
}

/** The output-size cases of the course, each explained by `explainOutputSize`. */
export function outputSizeCases() {
  const cases: [string, number, { kernel: number; stride?: number; padding?: number }][] = [
    ['6×6 input, 3×3 filter, stride 1', 6, { kernel: 3 }],
    ['6×6 input, 3×3 filter, stride 2', 6, { kernel: 3, stride: 2 }],
    ['7×7 input, 3×3 filter, stride 1', 7, { kernel: 3 }],
    ['7×7 input, 3×3 filter, stride 2', 7, { kernel: 3, stride: 2 }],
    ['7×7 input, 3×3 filter, stride 3', 7, { kernel: 3, stride: 3 }],
    ['32×32 input, 5×5 filter, stride 1', 32, { kernel: 5 }],
    ['AlexNet conv1: 227, 11×11, stride 4', 227, { kernel: 11, stride: 4 }],
    ['AlexNet conv1 as printed: 224, 11×11, stride 4', 224, { kernel: 11, stride: 4 }],
    ['AlexNet pool1: 55, 3×3, stride 2', 55, { kernel: 3, stride: 2 }],
  ];
  return cases.map(([label, n, window]) => {
    const e = explainOutputSize(n, window);
    return {
      label,
      formula: e.formula,
      exact: e.exact,
      size: e.size,
      verdict: e.exact ? `${e.size}` : `does not fit (floored to ${e.size}): use ${e.fixes.join(' or ')}`,
    };
  });
}

/** `(K − 1)/2` for odd kernels: the padding that keeps the size at stride 1. */
export function samePaddingRows() {
  return [1, 3, 5, 7].map((k) => {
    const [before, after] = samePadding(k);
    return { kernel: k, before, after, output: outputSize(32, { kernel: k, padding: [before, after] }) };
  });
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
    perFilterFormula: `${kernel}·${kernel}·${channels} + 1 = ${perFilter}`,
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

/** AlexNet's first layer, as counted in the lecture. */
export function alexnetConv1Params() {
  return {
    weights: convParams({ inChannels: 3, filters: 96, kernel: 11, bias: false }),
    withBias: convParams({ inChannels: 3, filters: 96, kernel: 11 }),
  };
}

/** Receptive field of 1…n stacked 3×3 convolutions (stride 1). */
export function stackedFields(n = 4) {
  return Array.from({ length: n }, (_, i) => {
    const layers = Array.from({ length: i + 1 }, () => ({ kernel: 3, padding: 1 }));
    return { layers: i + 1, field: receptiveField(layers).size };
  });
}

/** Fully connected layers: LeNet-5's and VGG-16's, and their share of the parameters. */
export function fullyConnectedExamples() {
  const flat = new Flatten().outputShape([5, 5, 16])[0] as number;
  const lenetF = denseParams({ inFeatures: flat, units: 120 });
  const vgg = summary(getModel('vgg16'), { input: [224, 224, 3] });
  const denseParamsOf = (rows: TraceRow[]) =>
    rows.filter((r) => r.type === 'dense').reduce((s, r) => s + r.params.trainable, 0);
  const vggDense = denseParamsOf(vgg.rows);
  const fc6 = vgg.rows.find((r) => r.name === 'fc6') as TraceRow;
  const alex = summary(getModel('alexnet'), { input: [227, 227, 3] });
  const alexDense = denseParamsOf(alex.rows);
  return {
    flatten: flat,
    lenetDense: lenetF,
    lenetFormula: `${flat}·120 + 120 = ${formatCount(lenetF)}`,
    denseOutput: new Dense({ units: 120 }).outputShape([flat])[0],
    fc6: formatCount(fc6.params.trainable),
    fc6Input: formatCount(fc6.inputShape[0] as number),
    vggTotal: formatCount(vgg.totals.params),
    vggDenseShare: `${((100 * vggDense) / vgg.totals.params).toFixed(1)}%`,
    alexTotal: formatCount(alex.totals.params),
    alexDenseShare: `${((100 * alexDense) / alex.totals.params).toFixed(1)}%`,
  };
}

/** One row of a model's layer table. */
export interface ModelRow {
  name: string;
  type: string;
  depth: number;
  output: string;
  params: string;
  macs: string;
  memory: string;
  field: string;
  formula: string;
}

function rowsOf(rows: readonly TraceRow[], nested: boolean): ModelRow[] {
  return rows.flatMap((r) => [
    {
      name: r.name,
      type: r.type,
      depth: r.depth,
      output: r.outputShape.join('×'),
      params: formatCount(r.params.trainable + r.params.nonTrainable),
      macs: r.macs ? formatMetric(r.macs, 'MACs') : '',
      memory: r.activationBytes ? formatBytes(r.activationBytes) : '',
      field: r.receptiveField ? String(r.receptiveField.size[0]) : '',
      formula: r.formulas ? r.formulas[0] : '',
    },
    ...(nested ? rowsOf(r.branches?.flat() ?? [], nested) : []),
  ]);
}

/** A zoo model's summary as table rows and totals, from shapes alone (no weight is allocated). */
export function modelTable(
  name: string,
  options: { input?: [number, number, number]; nested?: boolean; hide?: string[] } = {},
) {
  const card = modelCard(name);
  const input = options.input ?? card.input;
  const s = summary(getModel(name, { input }), { input });
  const hide = new Set(options.hide ?? []);
  return {
    name,
    card,
    input: input.join('×'),
    rows: rowsOf(s.rows, options.nested ?? false).filter((r) => !hide.has(r.type)),
    totals: {
      params: formatCount(s.totals.params),
      paramsRaw: s.totals.params,
      trainable: formatCount(s.totals.trainable),
      macs: formatMetric(s.totals.macs, 'MACs'),
      flops: formatMetric(s.totals.flops, 'FLOPs'),
      activations: formatCount(s.totals.activations),
      activationBytes: formatBytes(s.memory.activationsPerImage),
      weights: formatBytes(s.memory.weights),
    },
  };
}

/** Table 2 of Simonyan & Zisserman: parameters in millions per configuration, as printed. */
export const VGG_PAPER_PARAMS_M: Record<string, number> = { A: 133, 'A-LRN': 133, B: 133, C: 134, D: 138, E: 144 };

/** VGG A–E: weight layers, parameters (computed vs the paper's Table 2), MACs and memory per image. */
export function vggConfigurations() {
  return Object.keys(VGG_PAPER_PARAMS_M).map((config) => {
    const name = `vgg-${config.toLowerCase()}`;
    const s = summary(getModel(name), { input: [224, 224, 3] });
    const weightLayers = s.rows.filter((r) => r.type === 'conv' || r.type === 'dense').length;
    const convParamsTotal = s.rows.filter((r) => r.type === 'conv').reduce((a, r) => a + r.params.trainable, 0);
    return {
      config,
      name,
      weightLayers,
      params: formatCount(s.totals.params),
      paramsRaw: s.totals.params,
      paper: `${VGG_PAPER_PARAMS_M[config]} M`,
      convShare: `${((100 * convParamsTotal) / s.totals.params).toFixed(1)}%`,
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
 * VGG-16's memory per image: cs231n's printed list and total next to the
 * exact count from `summary`, with what each number is.
 */
export function vggMemory() {
  const s = summary(getModel('vgg16'), { input: [224, 224, 3] });
  const stored = s.rows.filter((r) => r.activationBytes > 0 && r.type !== 'dropout');
  const exactRows = [
    { name: 'input', output: s.input.join('×'), values: s.input.reduce((a, b) => a * b, 1) },
    ...stored.map((r) => ({ name: r.name, output: r.outputShape.join('×'), values: r.activations })),
  ];
  const printedSum = CS231N_VGG16.rows.reduce((a, r) => a + parseApprox(r[2]), 0);
  const exact = exactRows.reduce((a, r) => a + r.values, 0);
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
    fcShare: `${(
      (100 * s.rows.filter((r) => r.type === 'dense').reduce((a, r) => a + r.params.trainable, 0)) / s.totals.params
    ).toFixed(1)}%`,
    training64: formatBytes(summary(getModel('vgg16'), { input: [224, 224, 3], batch: 64 }).memory.training),
  };
}

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

/** Weights without biases (one bias per output channel of a conv or dense row), as the paper counts. */
function weightsOf(rows: readonly TraceRow[]): number {
  return rows.reduce((sum, r) => {
    if (r.branches) return sum + weightsOf(r.branches.flat());
    if (r.type === 'conv' || r.type === 'dense') return sum + r.params.trainable - (r.outputShape.at(-1) as number);
    return sum;
  }, 0);
}

function macsOf(rows: readonly TraceRow[]): number {
  return rows.reduce((s, r) => s + r.macs, 0);
}

/**
 * GoogLeNet's Table 1, computed: per stage the output, the inception
 * module's filter counts, weights (K = 1024, biases left out as the paper
 * does) and MACs (M), next to the paper's printed figures.
 */
export function googlenetTable() {
  const s = summary(getModel('googlenet'), { input: [224, 224, 3] });
  const out: {
    stage: string;
    type: string;
    output: string;
    widths: string[];
    weightsK: string;
    macsM: string;
    paperParams: string;
    paperOps: string;
    agrees: string;
  }[] = [];
  const convRows: TraceRow[] = [];
  const flushConv = (stage: string) => {
    if (convRows.length === 0) return;
    const last = convRows.at(-1) as TraceRow;
    out.push(row(stage, 'convolution', last.outputShape, [], weightsOf(convRows), macsOf(convRows)));
    convRows.length = 0;
  };
  const row = (stage: string, type: string, shape: number[], widths: string[], weights: number, macs: number) => {
    const paper = GOOGLENET_PAPER[stage];
    const weightsK = weights / 1024;
    const macsM = macs / 1e6;
    const agrees = paper
      ? Math.abs(weightsK - paper.params) / paper.params < 0.02 && Math.abs(macsM - paper.ops) / paper.ops < 0.02
        ? 'yes'
        : 'no'
      : '';
    return {
      stage,
      type,
      output: shape.join('×'),
      widths,
      weightsK: weights ? weightsK.toFixed(1) : '',
      macsM: macs ? macsM.toFixed(1) : '',
      paperParams: paper ? String(paper.params) : '',
      paperOps: paper ? String(paper.ops) : '',
      agrees,
    };
  };
  let convStage = 1;
  for (const r of s.rows) {
    if (r.type === 'conv') {
      convRows.push(r);
      continue;
    }
    if (r.type === 'pool' || r.type === 'concat' || r.type === 'dense' || r.type === 'globalPool') {
      if (convRows.length > 0) flushConv(`conv${convStage++}`);
    }
    if (r.type === 'pool' || r.type === 'globalPool') {
      out.push(row(r.name, r.type === 'pool' ? 'max pool' : 'avg pool', r.outputShape, [], 0, 0));
    } else if (r.type === 'concat') {
      const stage = r.name.replace(/^inception_?/, '');
      const branchWidths = (r.branches ?? []).map((b) =>
        b.filter((x) => x.type === 'conv').map((x) => x.outputShape[2]),
      );
      const [one, three, five, pool] = branchWidths;
      const widths = [one?.[0], three?.[0], three?.[1], five?.[0], five?.[1], pool?.[0]].map((w) => String(w ?? ''));
      out.push(row(stage, 'inception', r.outputShape, widths, weightsOf([r]), r.macs));
    } else if (r.type === 'dense') {
      out.push(row('linear', 'linear', r.outputShape, [], weightsOf([r]), r.macs));
    }
  }
  return {
    rows: out,
    params: formatCount(s.totals.params),
    macs: formatMetric(s.totals.macs, 'MACs'),
    withAux: formatCount(summary(getModel('googlenet', { auxLogits: true }), { input: [224, 224, 3] }).totals.params),
  };
}

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
