import {
  convParams,
  explainOutputSize,
  formatBytes,
  formatCount,
  formatMetric,
  formatTable,
  type LayerSpec,
  receptiveField,
  samePadding,
  trace,
} from '@convkit/shape';

/** VGG configurations as torchvision writes them: filters per conv, 'M' for a 2×2 max pool. */
const VGG_D: readonly (number | 'M')[] = [
  64,
  64,
  'M',
  128,
  128,
  'M',
  256,
  256,
  256,
  'M',
  512,
  512,
  512,
  'M',
  512,
  512,
  512,
  'M',
];

function vggLayers(config: readonly (number | 'M')[]): LayerSpec[] {
  const features: LayerSpec[] = config.map((v) =>
    v === 'M'
      ? { type: 'pool', kernel: 2, mode: 'max' }
      : { type: 'conv', filters: v, kernel: 3, padding: 1, activation: 'relu' },
  );
  return [
    ...features,
    { type: 'flatten' },
    { type: 'dense', name: 'fc6', units: 4096, activation: 'relu' },
    { type: 'dense', name: 'fc7', units: 4096, activation: 'relu' },
    { type: 'dense', name: 'fc8', units: 1000 },
  ];
}

function outputSizes(): string {
  const cases: [string, number, { kernel: number; stride?: number; padding?: number }][] = [
    ['6×6 input, 3×3 filter, stride 1', 6, { kernel: 3 }],
    ['8×8 input, 3×3 filter, stride 1', 8, { kernel: 3 }],
    ['7×7 input, 3×3 filter, stride 2', 7, { kernel: 3, stride: 2 }],
    ['7×7 input, 3×3 filter, stride 3', 7, { kernel: 3, stride: 3 }],
    ['AlexNet conv1: 227, 11×11, stride 4', 227, { kernel: 11, stride: 4 }],
    ['AlexNet pool1: 55, 3×3, stride 2', 55, { kernel: 3, stride: 2 }],
    ['28×28, 3×3, padding 1', 28, { kernel: 3, padding: 1 }],
  ];
  const lines = cases.map(([label, n, window]) => {
    const e = explainOutputSize(n, window);
    const verdict = e.exact ? `→ ${e.size}` : `does not fit: use ${e.fixes.join(' or ')}`;
    return `  ${label.padEnd(38)}${e.formula.padEnd(30)}${verdict}`;
  });
  return ['Output size (N + 2P − K)/S + 1', ...lines].join('\n');
}

function paddings(): string {
  const lines = [3, 5, 7].map(
    (k) => `  ${k}×${k} filter, stride 1: padding ${samePadding(k)[0]} keeps the size ((K − 1)/2)`,
  );
  return ['Padding that preserves size', ...lines].join('\n');
}

function parameters(): string {
  const perFilter = convParams({ inChannels: 3, filters: 1, kernel: 3 });
  const all = convParams({ inChannels: 3, filters: 100, kernel: 3 });
  const alexWeights = convParams({ inChannels: 3, filters: 96, kernel: 11, bias: false });
  const alexAll = convParams({ inChannels: 3, filters: 96, kernel: 11 });
  return [
    'Parameters',
    `  28×28×3 input, 100 filters of 3×3: 3·3·3 + 1 = ${perFilter} per filter, ${formatCount(all)} in all`,
    `  AlexNet conv1, 96 filters of 11×11×3: ${formatCount(alexWeights)} weights, ${formatCount(alexAll)} with biases`,
  ].join('\n');
}

function receptiveFields(): string {
  const sizes = [1, 2, 3, 4].map(
    (n) => receptiveField(Array.from({ length: n }, () => ({ kernel: 3, padding: 1 }))).size,
  );
  return [
    'Receptive field',
    `  1, 2, 3, 4 stacked 3×3 convolutions see ${sizes.map((s) => `${s}×${s}`).join(', ')}`,
    `  (two 3×3 see what one 5×5 sees with ${2 * 9}C² instead of ${25}C² weights)`,
  ].join('\n');
}

function vgg16(batch: number): string {
  const result = trace([224, 224, 3], vggLayers(VGG_D), { batch, optimizerSlots: 1 });
  const rows = result.rows.map((r) => [
    r.name,
    `${r.outputShape.join('×')}`,
    formatCount(r.params.trainable + r.params.nonTrainable),
    r.macs ? formatMetric(r.macs, 'MACs') : '',
    r.activationBytes ? formatBytes(r.activationBytes) : 'view',
    r.receptiveField ? String(r.receptiveField.size[0]) : '',
  ]);
  const { totals, memory } = result;
  return [
    'VGG-16 (configuration D) on one 224×224×3 image, float32',
    formatTable(['layer', 'output', 'params', 'MACs', 'memory', 'field'], rows, [
      'left',
      'right',
      'right',
      'right',
      'right',
      'right',
    ]),
    `  parameters   ${formatCount(totals.params)} (${formatBytes(memory.weights)})`,
    `  compute      ${formatMetric(totals.macs, 'MACs')} = ${formatMetric(totals.flops, 'FLOPs')} per image`,
    `  activations  ${formatCount(totals.activations)} values = ${formatBytes(memory.activationsPerImage)} per image, forward (input included)`,
    `  training     ${formatBytes(memory.training)} for a batch of ${batch} with SGD + momentum (weights, gradients, momentum, activations)`,
    '  Early layers hold the memory, the fully connected layers the parameters.',
  ].join('\n');
}

/** The lecture's numbers, each computed by @convkit/shape, as a text report. */
export function lectureReport(options: { batch?: number } = {}): string {
  return [
    'convkit — the numbers of the CNN lecture, computed by @convkit/shape',
    outputSizes(),
    paddings(),
    parameters(),
    receptiveFields(),
    vgg16(options.batch ?? 128),
  ].join('\n\n');
}
