import { parseArgs } from 'node:util';
import { initBackend } from '@convkit/backend';
import { backendFlag } from '../args.js';
import { UsageError } from '../errors.js';
import { loadRun } from '../load-run.js';
import { importPytorchRun } from '../pytorch-import.js';

/** `convkit import DIR [--out RUN] [--from RUN_IN_DIR]`: a trained PyTorch export back as a convkit run folder, with its report. */
export async function importCommand(argv: string[], out: (line: string) => void): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { out: { type: 'string' }, from: { type: 'string' }, backend: { type: 'string' } },
  });
  const [dir, ...extra] = positionals;
  if (!dir)
    throw new UsageError('convkit import needs the folder of a PyTorch export (convkit export --format pytorch)');
  if (extra.length > 0) throw new UsageError(`convkit import takes one folder, received also ${extra.join(', ')}`);
  await initBackend(backendFlag(values.backend) ?? 'cpu');
  const imported = await importPytorchRun(dir, {
    ...(values.out !== undefined ? { out: values.out } : {}),
    ...(values.from !== undefined ? { from: values.from } : {}),
  });
  const run = loadRun(imported.dir);
  try {
    const report = await (await import('../report.js')).writeReport(imported.dir, { model: run.model });
    out(`imported ${imported.model}: ${imported.epochs} epoch(s), checkpoints ${imported.checkpoints.join(', ')}`);
    out(`run folder ${imported.dir} (report ${report}); next: convkit eval ${imported.dir}`);
  } finally {
    run.model.dispose();
  }
  return 0;
}
