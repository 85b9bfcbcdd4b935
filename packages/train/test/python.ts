import { execFileSync } from 'node:child_process';

/**
 * The Python that train.py's tests run: `CONVKIT_PYTHON`, else the first of
 * `python3` and Debian's `/usr/bin/python3` that imports torch (a pyenv
 * `python3` may come first on PATH without it), else any `python3`.
 */
function findPython(): { python: string | undefined; torch: boolean } {
  const candidates = process.env.CONVKIT_PYTHON ? [process.env.CONVKIT_PYTHON] : ['python3', '/usr/bin/python3'];
  let plain: string | undefined;
  for (const python of candidates) {
    try {
      execFileSync(python, ['-c', 'import torch'], { stdio: 'ignore' });
      return { python, torch: true };
    } catch (error) {
      if ((error as { status?: number }).status !== undefined) plain ??= python;
    }
  }
  return { python: plain, torch: false };
}

export const { python, torch: hasTorch } = findPython();

/** Runs `source` with that Python and parses the JSON it prints last. */
export function runPython(source: string, cwd?: string): unknown {
  if (!python) throw new Error('no python3 on this machine');
  const stdout = execFileSync(python, ['-'], {
    input: source,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    ...(cwd ? { cwd } : {}),
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) as string);
}
