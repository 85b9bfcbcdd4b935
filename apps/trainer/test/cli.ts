import { vi } from 'vitest';
import { run } from '../src/cli.js';

/** Runs the CLI in-process, as the tests do: the exit code, the stdout lines joined, and what went to stderr. */
export async function cli(...argv: string[]) {
  const out: string[] = [];
  const errors: string[] = [];
  const spy = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void errors.push(args.join(' ')));
  const code = await run(argv, (line) => void out.push(line));
  spy.mockRestore();
  return { code, out: out.join('\n'), err: errors.join('\n') };
}
