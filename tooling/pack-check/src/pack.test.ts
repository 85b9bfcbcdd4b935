import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lockedPackages } from './lockfile.js';
import { optionalPeersInReadme, packWithSiblings, siblingRangeMismatches, userEnv } from './siblings.js';
import { installAlone, libraries, promisedOutput, ROOT, readmeExample } from './workspace.js';

const own = JSON.parse(readFileSync(join(ROOT, 'tooling/pack-check/package.json'), 'utf8')) as {
  devDependencies: Record<string, string>;
};
// What `pnpm install --frozen-lockfile` of the workspace puts into the store.
const stored = lockedPackages(readFileSync(join(ROOT, 'pnpm-lock.yaml'), 'utf8'));
const destination = mkdtempSync(join(tmpdir(), 'convkit-pack-'));
const made: string[] = [destination];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

describe('selective installs', () => {
  const libs = libraries();

  it('covers every library (each is a devDependency here, so turbo builds it first)', () => {
    expect(libs.length).toBeGreaterThan(0);
    for (const lib of libs) expect(own.devDependencies[lib.name], lib.name).toBe('workspace:*');
  });

  it.each(libs.map((lib) => [lib.name, lib] as const))('%s installs alone and its README example runs', (_, lib) => {
    expect(existsSync(join(lib.dir, 'dist/index.js')), `${lib.name} is built`).toBe(true);
    // Workspace dependencies are packed too and installed beside it, as the registry would serve them,
    // at the ranges the packed manifests name (an exact version: see siblingRangeMismatches).
    const tarballs = packWithSiblings(lib, libs, destination);
    expect(siblingRangeMismatches(tarballs)).toEqual([]);

    const listing = execFileSync('tar', ['-tzf', tarballs[0] as string], { encoding: 'utf8' }).split('\n');
    expect(listing).toContain('package/dist/index.js');
    expect(listing).toContain('package/dist/index.d.ts');
    expect(listing).toContain('package/README.md');
    expect(listing.filter((f) => f.startsWith('package/src/'))).toEqual([]);

    const readme = readFileSync(join(lib.dir, 'README.md'), 'utf8');
    const project = installAlone(tarballs, optionalPeersInReadme(tarballs[0] as string, readme));
    made.push(project);
    // Offline, a version the workspace did not install is a tarball a fresh store lacks (ERR_PNPM_NO_OFFLINE_TARBALL):
    // a warm store would hide it, so the resolved versions are compared with the workspace lockfile's instead.
    const resolved = [...lockedPackages(readFileSync(join(project, 'pnpm-lock.yaml'), 'utf8'))];
    expect(resolved.filter((key) => !key.startsWith('@convkit/') && !stored.has(key))).toEqual([]);
    const installed = readFileSync(join(project, 'node_modules', lib.name, 'package.json'), 'utf8');
    expect(installed).not.toContain('@convkit/source');
    expect(installed).not.toContain('workspace:');

    const example = readmeExample(readme);
    writeFileSync(join(project, 'example.mjs'), example);
    const printed = execFileSync('node', ['example.mjs'], { cwd: project, encoding: 'utf8', env: userEnv() })
      .trim()
      .split('\n')
      .map((line) => line.trim());
    const promised = promisedOutput(example);
    expect(promised.length, 'the example promises its output in comments').toBeGreaterThan(0);
    expect(printed).toEqual(promised);
  });
});
