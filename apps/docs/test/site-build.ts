/**
 * One build of the site per test run, shared by every test file that needs it. Vitest runs files in
 * parallel workers: two builds at once would both rewrite pages/api (prepare.mjs) and Vite's cache, and
 * take twice the time. The first file to ask builds under a lock; the others wait for its stamp.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
/** Where `vitepress build` writes the site. */
export const dist = join(root, 'dist');
const stamp = join(dist, '.test-run');
const lock = join(root, '.site-build.lock');

const read = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : undefined);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function run(args: string[]): void {
  const result = spawnSync(process.execPath, args, {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  if (result.status !== 0)
    throw new Error(`${args.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
}

function build(runId: string): void {
  const vitepress = join(
    dirname(createRequire(import.meta.url).resolve('vitepress/package.json')),
    'bin',
    'vitepress.js',
  );
  run([join(root, 'scripts', 'prepare.mjs')]);
  run([vitepress, 'build']);
  writeFileSync(stamp, runId);
}

/** Takes the lock, or clears one left by an earlier run or a dead process; false while another holds it. */
function tryLock(runId: string): boolean {
  try {
    mkdirSync(lock);
    writeFileSync(join(lock, 'owner'), `${runId} ${process.pid}`);
    return true;
  } catch {
    const [owner, pid] = (read(join(lock, 'owner')) ?? '').split(' ');
    if (owner !== undefined && owner !== '' && (owner !== runId || !alive(Number(pid)))) {
      rmSync(lock, { recursive: true, force: true });
    }
    return false;
  }
}

/** The built site's folder, built once in this test run (the build takes minutes). */
export async function builtSite(): Promise<string> {
  const runId = inject('siteRun');
  for (;;) {
    if (read(stamp) === runId) return dist;
    if (tryLock(runId)) {
      try {
        if (read(stamp) !== runId) build(runId);
      } finally {
        rmSync(lock, { recursive: true, force: true });
      }
      return dist;
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}
