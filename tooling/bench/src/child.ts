import { spawn } from 'node:child_process';
import { type Outcome, parseResultLine } from './outcome.js';

export interface ChildOptions {
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/**
 * Runs one (configuration, workload) in a fresh process: kernel registries and
 * tfjs backends are process-global, and a crash or a hang must cost one cell,
 * not the run. Stderr is passed through only when the child fails.
 */
export function runChild(command: string, args: readonly string[], options: ChildOptions): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: options.env ?? process.env,
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ kind: 'failed', reason: `could not start ${command}: ${error.message}` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) {
        resolve({ kind: 'skipped', reason: `over the ${Math.round(options.timeoutMs / 1000)} s limit per cell` });
        return;
      }
      let outcome: Outcome | undefined;
      try {
        outcome = parseResultLine(stdout);
      } catch (error) {
        resolve({ kind: 'failed', reason: `unreadable result: ${String(error)}` });
        return;
      }
      resolve(
        outcome ?? {
          kind: 'failed',
          reason: `exited (${signal ?? `code ${code}`}) without a result: ${lastLine(stderr)}`,
        },
      );
    });
  });
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return (lines.at(-1) ?? '').slice(0, 300) || 'no output';
}
