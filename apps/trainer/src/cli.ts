import { parseArgs } from 'node:util';
import { lectureReport } from './lecture.js';

const USAGE = `usage: convkit <command> [options]

commands:
  lecture [--batch N]   the CNN lecture's numbers (output sizes, padding, parameters,
                        receptive fields, VGG-16 layer by layer), computed by @convkit/shape
  help                  this text`;

function main(argv: string[]): number {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { batch: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  const [command = 'help'] = positionals;
  if (values.help || command === 'help') {
    console.log(USAGE);
    return 0;
  }
  if (command === 'lecture') {
    const batch = values.batch === undefined ? 128 : Number(values.batch);
    if (!Number.isInteger(batch) || batch < 1) {
      console.error(`convkit lecture: --batch must be a positive integer, received ${JSON.stringify(values.batch)}`);
      return 2;
    }
    console.log(lectureReport({ batch }));
    return 0;
  }
  console.error(`convkit: unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
  return 2;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  console.error(`convkit: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 2;
}
