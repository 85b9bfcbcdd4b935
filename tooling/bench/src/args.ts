import { CONFIGURATIONS, type ConfigurationId } from './configurations.js';
import { WORKLOADS, type WorkloadId } from './workloads.js';

export interface BenchOptions {
  workloads: WorkloadId[];
  configurations: ConfigurationId[];
  quick: boolean;
  /** Where the markdown results go, relative to the bench folder; undefined with --no-write. */
  out: string | undefined;
  /** Invocations' worth of child processes per cell: each invocation's median is reported, and their spread. */
  repeat: number;
  help: boolean;
}

export const USAGE = `Usage: pnpm bench [-- options]   (or: node tooling/bench/dist/run.js [options])

  --only <ids>       workloads, comma-separated: ${WORKLOADS.map((w) => w.id).join(', ')}
  --backends <ids>   configurations, comma-separated: ${CONFIGURATIONS.map((c) => c.id).join(', ')}
                     (default: all but ${CONFIGURATIONS.filter((c) => c.optIn)
                       .map((c) => c.id)
                       .join(', ')})
  --quick            fewer runs and a smaller time budget per workload (indicative numbers)
  --repeat <N>       run every cell N times, each in a fresh child process as a new invocation would,
                     and report each invocation's median and min/median/max across them (default 1)
  --out <file>       markdown results file (default RESULTS.md in tooling/bench)
  --no-write         print only, write no file
  --help             this text`;

/** Parses the command line; throws an Error whose message says what was wrong and what is accepted. */
export function parseArgs(argv: readonly string[]): BenchOptions {
  const options: BenchOptions = {
    workloads: WORKLOADS.map((w) => w.id),
    configurations: CONFIGURATIONS.filter((c) => !c.optIn).map((c) => c.id),
    quick: false,
    out: 'RESULTS.md',
    repeat: 1,
    help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--only':
        options.workloads = pickList(
          value(),
          WORKLOADS.map((w) => w.id),
          '--only',
        );
        break;
      case '--backends':
        options.configurations = pickList(
          value(),
          CONFIGURATIONS.map((c) => c.id),
          '--backends',
        );
        break;
      case '--quick':
        options.quick = true;
        break;
      case '--repeat': {
        const text = value();
        const count = /^\d+$/.test(text) ? Number(text) : Number.NaN;
        if (!(count >= 1)) throw new Error(`--repeat needs a positive integer, received ${text}`);
        options.repeat = count;
        break;
      }
      case '--out':
        options.out = value();
        break;
      case '--no-write':
        options.out = undefined;
        break;
      case '--help':
      case '-h':
        options.help = true;
        break;
      case '--':
        // pnpm passes a lone `--` through to the script.
        break;
      default:
        throw new Error(`unknown option ${arg}\n\n${USAGE}`);
    }
  }
  return options;
}

/** A comma-separated list checked against the known ids, kept in the known order. */
function pickList<T extends string>(text: string, known: readonly T[], flag: string): T[] {
  const asked = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = asked.filter((a) => !known.includes(a as T));
  if (unknown.length > 0) throw new Error(`${flag}: unknown ${unknown.join(', ')}; use ${known.join(', ')}`);
  return known.filter((k) => asked.includes(k));
}
