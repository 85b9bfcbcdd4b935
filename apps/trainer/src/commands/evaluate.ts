import { parseArgs } from 'node:util';
import { initBackend } from '@convkit/backend';
import { formatTable } from '@convkit/shape';
import { evaluate } from '@convkit/train/node';
import { backendFlag } from '../args.js';
import { loadData } from '../datasets.js';
import { UsageError } from '../errors.js';
import { loadRun } from '../load-run.js';

/** `convkit eval <run|checkpoint> [--data SPEC] [--backend NAME] [--json]`: test-set figures of a trained model. */
export async function evalCommand(argv: string[], out: (line: string) => void): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { data: { type: 'string' }, backend: { type: 'string' }, json: { type: 'boolean' } },
  });
  const backend = backendFlag(values.backend) ?? 'auto';
  const target = positionals[0];
  if (!target) throw new UsageError('convkit eval needs a run folder or a checkpoint file');
  await initBackend(backend);
  const run = loadRun(target);
  const data = loadData(values.data ?? run.config.data);
  if (data.train.channels !== run.input[2] || data.test.classes !== run.classes) {
    throw new UsageError(
      `${run.checkpoint} takes ${run.input[2]}-channel images of ${run.classes} classes; --data ${data.spec} has ${data.test.channels} channels and ${data.test.classes} classes`,
    );
  }
  const m = await evaluate(run.model, data.test, {
    normalize: run.config.normalize,
    ...(run.config.evaluationAugment ? { augment: run.config.evaluationAugment } : {}),
  });
  const result = {
    checkpoint: run.checkpoint,
    data: data.spec,
    examples: m.examples,
    loss: m.loss,
    top1Error: m.top1Error,
    top5Error: m.top5Error,
    perClassAccuracy: m.perClassAccuracy(),
    confusion: m.matrix,
    classNames: data.classNames,
  };
  if (values.json) {
    out(JSON.stringify(result));
    return 0;
  }
  const pct = (x: number) => `${(100 * x).toFixed(2)} %`;
  out(`${run.config.model} from ${run.checkpoint} on ${data.spec} test (${m.examples} images)`);
  out(
    `loss ${m.loss.toFixed(4)}  top-1 error ${pct(m.top1Error)}  top-5 error ${pct(m.top5Error)}  accuracy ${pct(1 - m.top1Error)}`,
  );
  out('');
  out(
    formatTable(
      ['class', 'accuracy'],
      data.classNames.map((name, i) => [name, pct(result.perClassAccuracy[i] as number)]),
      ['left', 'right'],
    ),
  );
  out('');
  out('confusion matrix (rows: true class, columns: predicted):');
  out(
    formatTable(
      ['', ...data.classNames.map((_, i) => String(i))],
      m.matrix.map((row, i) => [String(i), ...row.map(String)]),
      ['left', ...data.classNames.map(() => 'right' as const)],
    ),
  );
  return 0;
}
