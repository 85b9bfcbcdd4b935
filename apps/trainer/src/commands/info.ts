import { parseArgs } from 'node:util';
import { BACKEND_NAMES, formatCoverage, initBackend, kernelCoverage } from '@convkit/backend';
import { summary } from '@convkit/layers';
import { formatCount, formatTable } from '@convkit/shape';
import { listModels, modelCard } from '@convkit/zoo';
import { parseShape, positiveInteger } from '../args.js';
import { buildModel, checkModelName } from '../model.js';

/** `convkit summary <model> [--input HxWxC] [--classes N] [--batch N] [--json]`: shapes only, no weights. */
export function summaryCommand(argv: string[], out: (line: string) => void): number {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      input: { type: 'string' },
      classes: { type: 'string' },
      batch: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const name = positionals[0] ?? '';
  checkModelName(name);
  const card = modelCard(name);
  const input = parseShape('input', values.input) ?? card.input;
  const classes = positiveInteger('classes', values.classes) ?? card.numClasses;
  const result = summary(buildModel(name, input, classes), {
    input,
    batch: positiveInteger('batch', values.batch) ?? 1,
  });
  out(values.json ? JSON.stringify({ model: card.name, ...result, text: undefined }, null, 2) : result.text);
  return 0;
}

/** `convkit models [--json]`: the zoo with parameters and MACs computed at each model's input. */
export function modelsCommand(argv: string[], out: (line: string) => void): number {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean' } } });
  const models = listModels();
  if (values.json) {
    out(JSON.stringify(models, null, 2));
    return 0;
  }
  out(
    formatTable(
      ['model', 'family', 'year', 'input', 'params', 'MACs'],
      models.map((m) => [
        m.name,
        m.family,
        String(m.paper.year),
        m.input.join('×'),
        formatCount(m.params),
        formatCount(m.macs),
      ]),
      ['left', 'left', 'right', 'right', 'right', 'right'],
    ),
  );
  return 0;
}

/** `convkit backends [--json]`: what `auto` picks here and why, and which kernels each backend has. */
export async function backendsCommand(argv: string[], out: (line: string) => void): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean' } } });
  const chosen = await initBackend('auto');
  const coverage = await kernelCoverage();
  if (values.json) {
    out(JSON.stringify({ default: chosen, coverage }, null, 2));
    return 0;
  }
  out(
    `default: ${chosen.name} on ${chosen.device.description} (${chosen.threads} thread${chosen.threads === 1 ? '' : 's'})`,
  );
  out(`why: ${chosen.reason ?? 'asked for'}`);
  out(
    `backends: ${BACKEND_NAMES.join(', ')} (webgpu with a WebGPU adapter, hardware, or software with --backend webgpu; native where @convkit/backend-native built its oneDNN addon, cuda (NVIDIA GPU) where @convkit/backend-cuda built its CUDA addon)`,
  );
  out('');
  out('kernel coverage (✓ tfjs, + convkit, ✗ missing):');
  out(formatCoverage(coverage));
  return 0;
}
