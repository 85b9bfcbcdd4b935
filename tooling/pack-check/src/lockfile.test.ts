import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lockedEdges, lockedOverrides, lockedPackages } from './lockfile.js';
import { ROOT } from './workspace.js';

// The shapes a pnpm 12 lockfile takes: two documents, quoted scoped keys, peer suffixes, aliases, workspace links.
const LOCKFILE = `---
lockfileVersion: '9.0'

importers:

  .:
    packageManagerDependencies:
      pnpm:
        specifier: 12.4.2
        version: 12.4.2

packages:

  pnpm@12.4.2:
    resolution: {integrity: sha512-a}

snapshots:

  pnpm@12.4.2: {}

---
lockfileVersion: '9.0'

importers:

  packages/a:
    dependencies:
      node-gyp:
        specifier: 12.4.0
        version: 12.4.0

packages:

  '@tensorflow/tfjs-backend-cpu@4.22.0':
    resolution: {integrity: sha512-b}
    peerDependencies:
      '@tensorflow/tfjs-core': 4.22.0

  node-gyp@12.4.0:
    resolution: {integrity: sha512-c}
    engines: {node: ^20.17.0 || >=22.9.0}
    hasBin: true

  tar@7.5.23:
    resolution: {integrity: sha512-d}

snapshots:

  '@tensorflow/tfjs-backend-cpu@4.22.0(@tensorflow/tfjs-core@4.22.0)':
    dependencies:
      '@tensorflow/tfjs-core': 4.22.0(encoding@0.1.13)
      '@types/seedrandom': 2.4.34

  node-gyp@12.4.0:
    dependencies:
      tar: 7.5.23
      string-width-cjs: string-width@4.2.3
      local: link:../local
    optionalDependencies:
      fsevents: 2.3.3
    transitivePeerDependencies:
      - supports-color

  tar@7.5.23: {}
`;

describe('the workspace lockfile, read without a YAML parser', () => {
  it('lists every dependency edge of every snapshot, peers stripped, aliases as npm:, links skipped', () => {
    expect(lockedEdges(LOCKFILE)).toEqual([
      {
        parent: '@tensorflow/tfjs-backend-cpu',
        parentVersion: '4.22.0',
        child: '@tensorflow/tfjs-core',
        spec: '4.22.0',
      },
      { parent: '@tensorflow/tfjs-backend-cpu', parentVersion: '4.22.0', child: '@types/seedrandom', spec: '2.4.34' },
      { parent: 'node-gyp', parentVersion: '12.4.0', child: 'tar', spec: '7.5.23' },
      { parent: 'node-gyp', parentVersion: '12.4.0', child: 'string-width-cjs', spec: 'npm:string-width@4.2.3' },
      { parent: 'node-gyp', parentVersion: '12.4.0', child: 'fsevents', spec: '2.3.3' },
    ]);
  });

  it('pins each edge under its parent version, so node-gyp never gets a tar the lockfile lacks', () => {
    expect(lockedOverrides(LOCKFILE)).toMatchObject({ 'node-gyp@12.4.0>tar': '7.5.23' });
  });

  it('lists the packages an install from it stores', () => {
    expect([...lockedPackages(LOCKFILE)]).toEqual([
      'pnpm@12.4.2',
      '@tensorflow/tfjs-backend-cpu@4.22.0',
      'node-gyp@12.4.0',
      'tar@7.5.23',
    ]);
  });

  it('reads the real lockfile: node-gyp (the native backend build) is pinned with all its dependencies', () => {
    const lockfile = readFileSync(join(ROOT, 'pnpm-lock.yaml'), 'utf8');
    const packages = lockedPackages(lockfile);
    const pins = Object.entries(lockedOverrides(lockfile)).filter(([key]) => key.startsWith('node-gyp@'));
    expect(pins.length).toBeGreaterThan(5);
    for (const [key, version] of pins) expect(packages, key).toContain(`${key.split('>')[1]}@${version}`);
  });
});
