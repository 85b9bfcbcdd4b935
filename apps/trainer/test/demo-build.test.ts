import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * `pnpm demo` builds only what the CLI depends on (`turbo run build --filter=convkit...`) and then
 * starts the fastest backend @convkit/backend can load. The native and CUDA backends are optional
 * peers of @convkit/backend, so unless the CLI lists them, turbo leaves their dist/ unbuilt and a
 * fresh clone trains on wasm even where libdnnl-dev built the addon at install (as it did: the
 * backend line read "native: @convkit/backend-native is not installed (Cannot find module …/dist/index.js)").
 * Turbo's dry run of the README's own command must build them.
 */
const root = fileURLToPath(new URL('../../../', import.meta.url));

/** The turbo build command inside the root package.json's `demo` script. */
function demoBuildArgs(): string[] {
  const scripts = JSON.parse(readFileSync(`${root}package.json`, 'utf8')).scripts as Record<string, string>;
  const build = /turbo (run build [^&]*)/.exec(scripts.demo ?? '');
  if (!build?.[1]) throw new Error(`the root demo script has no turbo build: ${scripts.demo}`);
  return build[1].trim().split(/\s+/);
}

describe('pnpm demo', () => {
  it('builds the optional native and CUDA backends with the CLI, so a fresh clone can start them', () => {
    const args = demoBuildArgs().filter((a) => !a.startsWith('--output-logs'));
    const dry = execFileSync(`${root}node_modules/.bin/turbo`, [...args, '--dry=json'], {
      cwd: root,
      encoding: 'utf8',
    });
    const tasks = (JSON.parse(dry) as { tasks: { taskId: string }[] }).tasks.map((t) => t.taskId);
    expect(tasks).toContain('convkit#build');
    expect(tasks).toContain('@convkit/backend-native#build');
    expect(tasks).toContain('@convkit/backend-cuda#build');
  });
});
