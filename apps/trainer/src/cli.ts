import { parseArgs } from 'node:util';
import { evalCommand } from './commands/evaluate.js';
import { backendsCommand, modelsCommand, summaryCommand } from './commands/info.js';
import { TRAIN_USAGE, trainCommand } from './commands/train.js';
import { vizCommand } from './commands/viz.js';
import { closest, UsageError } from './errors.js';
import { lectureReport } from './lecture.js';

export const USAGE = `usage: convkit <command> [options]

commands:
  train <model> --data SPEC [...]    train a zoo model, with progress, checkpoints and a report (convkit train --help)
  eval <run|checkpoint> [--data SPEC] [--json]
                                     loss, top-1/top-5 error, per-class accuracy, confusion matrix
  summary <model> [--input HxWxC] [--classes N] [--batch N] [--json]
                                     the layer table and totals, no weights allocated
  models [--json]                    the model zoo
  backends [--json]                  what this machine runs, the default and why, kernel coverage
  viz <run> filters|maps|patches|evolution|curves|equivariance [--layer NAME] [--image FILE]
                                     pictures of what the network learned, into the run folder
  lecture [--batch N]                the CNN lecture's numbers, computed by @convkit/shape
  help                               this text

exit codes: 0 success, 1 failure, 2 usage, 130 interrupted (a checkpoint was written)`;

const COMMANDS = ['train', 'eval', 'summary', 'models', 'backends', 'viz', 'lecture', 'help'];

async function main(argv: string[], out: (line: string) => void): Promise<number> {
  const [command = 'help', ...rest] = argv;
  if (command === 'help' || command === '--help' || command === '-h') {
    out(USAGE);
    return 0;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    out(command === 'train' ? TRAIN_USAGE : USAGE);
    return 0;
  }
  switch (command) {
    case 'train':
      return trainCommand(rest, out);
    case 'eval':
      return evalCommand(rest, out);
    case 'summary':
      return summaryCommand(rest, out);
    case 'models':
      return modelsCommand(rest, out);
    case 'backends':
      return backendsCommand(rest, out);
    case 'viz':
      return vizCommand(rest, out);
    case 'lecture': {
      const { values } = parseArgs({ args: rest, options: { batch: { type: 'string' } } });
      const batch = values.batch === undefined ? 128 : Number(values.batch);
      if (!Number.isInteger(batch) || batch < 1)
        throw new UsageError(`--batch must be a positive integer, received ${JSON.stringify(values.batch)}`);
      out(lectureReport({ batch }));
      return 0;
    }
    default: {
      const near = closest(command, COMMANDS);
      throw new UsageError(
        `unknown command ${JSON.stringify(command)}${near.length ? `; did you mean ${near.join(', ')}?` : ''}`,
      );
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
