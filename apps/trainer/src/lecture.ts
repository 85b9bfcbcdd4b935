// `convkit lecture`: the lecture's numbers as a text report. The numbers come
// from @convkit/zoo/lecture, the module the docs pages render, and VGG-16 is
// the zoo's own model, so neither the examples nor the architecture are
// written out here a second time.
import { formatTable } from '@convkit/shape';
import {
  alexnetConv1Params,
  modelTable,
  outputSizeCases,
  parameterExample,
  samePaddingRows,
  stackedFields,
  vggMemory,
} from '@convkit/zoo/lecture';

function outputSizes(): string {
  const cases = outputSizeCases();
  const width = (text: (c: (typeof cases)[number]) => string) => Math.max(...cases.map((c) => text(c).length)) + 2;
  const [labels, formulas] = [width((c) => c.label), width((c) => c.formula)];
  const lines = cases.map((c) => {
    const verdict = c.exact ? `→ ${c.size}` : c.verdict;
    return `  ${c.label.padEnd(labels)}${c.formula.padEnd(formulas)}${verdict}`;
  });
  return ['Output size (N + 2P − K)/S + 1', ...lines].join('\n');
}

function paddings(): string {
  // 1×1 needs no padding; the lecture lists the kernels that do.
  const lines = samePaddingRows([3, 5, 7]).map(
    (r) => `  ${r.kernel}×${r.kernel} filter, stride 1: padding ${r.before} keeps the size ((K − 1)/2)`,
  );
  return ['Padding that preserves size', ...lines].join('\n');
}

function parameters(): string {
  const p = parameterExample();
  const alex = alexnetConv1Params();
  return [
    'Parameters',
    `  28×28×3 input, 100 filters of 3×3: ${p.perFilterFormula} per filter, ${p.totalText} in all`,
    `  AlexNet conv1, 96 filters of 11×11×3: ${alex.weights.toLocaleString('en-US')} weights, ${alex.withBias.toLocaleString('en-US')} with biases`,
  ].join('\n');
}

function receptiveFields(): string {
  const sizes = stackedFields(4).map((f) => f.field);
  return [
    'Receptive field',
    `  1, 2, 3, 4 stacked 3×3 convolutions see ${sizes.map((s) => `${s}×${s}`).join(', ')}`,
    `  (two 3×3 see what one 5×5 sees with ${2 * 9}C² instead of ${25}C² weights)`,
  ].join('\n');
}

function vgg16(batch: number): string {
  // Dropout is the identity in a forward pass: the table lists the layers that compute.
  const table = modelTable('vgg16', { input: [224, 224, 3], batch, hide: ['dropout'] });
  const rows = table.rows.map((r) => [r.name, r.output, r.params, r.macs, r.memory || 'view', r.field]);
  const memory = vggMemory();
  const { totals } = table;
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
    `  parameters   ${totals.params} (${totals.weights})`,
    `  compute      ${totals.macs} = ${totals.flops} per image`,
    `  activations  ${memory.exactText} values = ${memory.exactBytes} per image, forward (input included)`,
    `  training     ${totals.training} for a batch of ${batch} with SGD + momentum (weights, gradients, momentum, activations)`,
    '  Early layers hold the memory, the fully connected layers the parameters.',
  ].join('\n');
}

/** The lecture's numbers, each computed by the library (@convkit/zoo/lecture), as a text report. */
export function lectureReport(options: { batch?: number } = {}): string {
  return [
    'convkit — the numbers of the CNN lecture, computed by @convkit/zoo/lecture',
    outputSizes(),
    paddings(),
    parameters(),
    receptiveFields(),
    vgg16(options.batch ?? 128),
  ].join('\n\n');
}
