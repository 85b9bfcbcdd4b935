import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { workspacePackages } from './workspace.js';

// A bundler keeps a module for its side effects only if `sideEffects` names it: an entry that names no file
// protects nothing, and says a registration exists where none does.

/** The source file a `sideEffects` entry stands for: `./dist/<name>.js` is tsup's output of `src/<name>.ts`. */
function sourceOf(entry: string): string {
  const built = /^\.\/dist\/(.+)\.js$/.exec(entry);
  return built ? `./src/${built[1]}.ts` : entry;
}

describe('sideEffects', () => {
  const named = workspacePackages().flatMap((pkg) => {
    const sideEffects = (pkg.manifest as { sideEffects?: boolean | string[] }).sideEffects;
    return Array.isArray(sideEffects) ? sideEffects.map((entry) => ({ pkg, entry })) : [];
  });

  it('names only files that exist (dist entries: the source tsup builds them from)', () => {
    const missing = named
      .filter(({ entry }) => !entry.includes('*'))
      .filter(({ pkg, entry }) => !existsSync(join(pkg.dir, sourceOf(entry))))
      .map(({ pkg, entry }) => `${pkg.name}: sideEffects names ${entry}, but ${sourceOf(entry)} does not exist`);
    expect(missing).toEqual([]);
  });
});
