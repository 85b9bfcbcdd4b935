import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { APT_COMMAND, REBUILD_COMMAND, whyNotBuilt } from './addon.js';
import { NATIVE_KERNELS } from './backend.js';
import { nativeStatus } from './status.js';

describe('nativeStatus', () => {
  it('answers without registering anything, with the native kernels and the apt command', () => {
    const status = nativeStatus();
    expect(status.apt).toBe('apt-get install -y g++ make python3 libdnnl-dev');
    expect(status.kernels).toBe(NATIVE_KERNELS);
    expect(status.kernels).toEqual(
      expect.arrayContaining(['Conv2D', 'Conv2DBackpropFilter', 'MaxPoolGrad', 'LRNGrad']),
    );
    if (status.available) expect(status.onednn).toMatch(/^\d+\.\d+\.\d+$/);
    else expect(status.reason).toContain(APT_COMMAND);
  });
});

describe('why the addon is missing', () => {
  it('names what the install script did not find, and the commands that fix it', () => {
    const error = whyNotBuilt({
      built: false,
      missing: ['a C++ compiler (g++)', 'oneDNN headers and library (libdnnl-dev)'],
    });
    expect(error.missing).toEqual(['a C++ compiler (g++)', 'oneDNN headers and library (libdnnl-dev)']);
    expect(error.message).toMatch(
      /^the addon was not built at install: missing a C\+\+ compiler \(g\+\+\), oneDNN headers and library \(libdnnl-dev\)\. Install them with `apt-get install -y g\+\+ make python3 libdnnl-dev`, then rebuild it: node \S+\/scripts\/install\.mjs$/,
    );
  });

  it('says when pnpm never ran the install script, and how to allow it', () => {
    expect(whyNotBuilt(undefined).message).toContain("allowBuilds: { '@convkit/backend-native': true }");
  });

  it('points at the compiler log when the build failed', () => {
    expect(whyNotBuilt({ built: false, missing: [], error: 'node-gyp rebuild exited with 1' }).message).toMatch(
      /failed to compile at install \(node-gyp rebuild exited with 1; the compiler's output is in .*build-error\.log\)/,
    );
  });

  it('prints a rebuild command that reruns the install script (pnpm 12 `pnpm rebuild` answers "Already up to date")', () => {
    const script = fileURLToPath(new URL('../scripts/install.mjs', import.meta.url));
    expect(REBUILD_COMMAND).toBe(`node ${script}`);
    expect(REBUILD_COMMAND).not.toContain('pnpm rebuild');
    // The script it names is the one the package's `install` lifecycle runs.
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(manifest.scripts.install).toBe('node scripts/install.mjs');
  });
});
