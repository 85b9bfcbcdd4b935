import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { type Library, manifestOf, pack } from './workspace.js';

/**
 * The convkit libraries `lib` needs at run time, transitively (train → layers
 * → shape): its dependencies and its required peers that are workspace
 * libraries. Optional peers (the native adapters) are not needed.
 */
export function siblingsOf(lib: Library, libs: Library[]): Library[] {
  const found: Library[] = [];
  const visit = (l: Library) => {
    const { dependencies = {}, peerDependencies = {}, peerDependenciesMeta = {} } = l.manifest;
    const needed = [
      ...Object.keys(dependencies),
      ...Object.keys(peerDependencies).filter((name) => !peerDependenciesMeta[name]?.optional),
    ];
    for (const other of libs) {
      if (needed.includes(other.name) && other !== lib && !found.includes(other)) {
        found.push(other);
        visit(other);
      }
    }
  };
  visit(lib);
  return found;
}

/** `lib`'s tarball followed by its siblings' tarballs, as the registry would serve them together. */
export function packWithSiblings(lib: Library, libs: Library[], destination: string): string[] {
  return [lib, ...siblingsOf(lib, libs)].map((l) => pack(l, destination));
}

/**
 * Each dependency of a packed tarball on another of the given tarballs whose
 * range the sibling's version does not satisfy, as `name: range ≠ version`.
 * convkit's `workspace:*` is published as the exact version, and changesets
 * releases every `@convkit/*` package together (a `fixed` group), so the
 * siblings published beside a library are exactly the versions it names.
 */
export function siblingRangeMismatches(tarballs: string[]): string[] {
  const manifests = tarballs.map(manifestOf);
  const version = new Map(manifests.map((m) => [m.name, m.version]));
  const mismatches: string[] = [];
  for (const m of manifests) {
    for (const [name, range] of Object.entries({ ...m.peerDependencies, ...m.dependencies })) {
      const sibling = version.get(name);
      if (sibling !== undefined && range !== sibling) mismatches.push(`${m.name} → ${name}: ${range} ≠ ${sibling}`);
    }
  }
  return mismatches;
}

/** What a project's node_modules weighs on disk, in bytes (`du`: each hard-linked file once). */
export function installedBytes(project: string): number {
  const kib = execFileSync('du', ['-sk', join(project, 'node_modules')], { encoding: 'utf8' }).split('\t')[0];
  return Number(kib) * 1024;
}

/**
 * The environment a user's shell would give node: without NODE_PATH, which
 * pnpm's bin shims (vitest's among them) set to the workspace's hoisted
 * node_modules, where every package is found, installed in the project or not.
 */
export function userEnv(): NodeJS.ProcessEnv {
  const { NODE_PATH: _, ...env } = process.env;
  return env;
}

/** Runs an ES module's source in `project`, as a user would, and returns what it printed, trimmed. */
export function runIn(project: string, code: string): string {
  return execFileSync('node', ['--input-type=module', '-e', code], {
    cwd: project,
    encoding: 'utf8',
    env: userEnv(),
  }).trim();
}

/**
 * The optional peers of a packed library that its README's install command
 * (`pnpm add …` in the first ```sh block) tells the reader to add, as
 * `name@range`: what its README example needs beyond the default install.
 */
export function optionalPeersInReadme(tarball: string, readme: string): string[] {
  const command = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  const named = new Set(command.split(/\s+/));
  const { peerDependencies = {}, peerDependenciesMeta = {} } = manifestOf(tarball);
  return Object.entries(peerDependencies)
    .filter(([name]) => peerDependenciesMeta[name]?.optional && named.has(name))
    .map(([name, range]) => `${name}@${range}`);
}
