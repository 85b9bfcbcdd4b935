import { parseArgs } from 'node:util';
import { didYouMean, UsageError } from './errors.js';
import { loadImports, takeImports } from './imports.js';
import { TRAIN_USAGE, USAGE } from './usage.js';

// Each command is imported when it runs: tfjs, the backends and the chart library load only for the commands that need them.

const COMMANDS = ['train', 'eval', 'export', 'import', 'summary', 'models', 'backends', 'viz', 'lecture', 'help'];

async function main(argv: string[], out: (line: string) => void): Promise<number> {
  const [command = 'help', ...given] = argv;
  const { imports, rest } = takeImports(given);
  if (command === 'help' || command === '--help' || command === '-h') {
    out(USAGE);
    return 0;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    out(command === 'train' ? TRAIN_USAGE : USAGE);
    return 0;
  }
  await loadImports(imports);
  switch (command) {
    case 'train':
      return (await import('./commands/train.js')).trainCommand(rest, out);
    case 'eval':
      return (await import('./commands/evaluate.js')).evalCommand(rest, out);
    case 'export':
      return (await import('./commands/export.js')).exportCommand(rest, out);
    case 'import':
      return (await import('./commands/import.js')).importCommand(rest, out);
    case 'summary':
      return (await import('./commands/info.js')).summaryCommand(rest, out);
    case 'models':
      return (await import('./commands/info.js')).modelsCommand(rest, out);
    case 'backends':
      return (await import('./commands/info.js')).backendsCommand(rest, out);
    case 'viz':
      return (await import('./commands/viz.js')).vizCommand(rest, out);
    case 'lecture': {
      const { values } = parseArgs({ args: rest, options: { batch: { type: 'string' } } });
      const batch = values.batch === undefined ? 128 : Number(values.batch);
      if (!Number.isInteger(batch) || batch < 1)
        throw new UsageError(`--batch must be a positive integer, received ${JSON.stringify(values.batch)}`);
      out((await import('./lecture.js')).lectureReport({ batch }));
      return 0;
    }
    default: {
      throw new UsageError(`unknown command ${JSON.stringify(command)}${didYouMean(command, COMMANDS)}`);
    }
  }
}

/** Runs the CLI on `argv`; returns the exit code. Errors a user can act on are printed, not thrown. */
export async function run(argv: string[], out: (line: string) => void = console.log): Promise<number> {
  try {
    return await main(argv, out);
  } catch (error) {
    // parseArgs' own errors (unknown option, missing value) are usage errors too.
    const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    console.error(`convkit: ${error instanceof Error ? error.message : String(error)}`);
    if (usage) console.error(`\n${argv[0] === 'train' ? TRAIN_USAGE : USAGE}`);
    return usage ? 2 : 1;
  }
}
