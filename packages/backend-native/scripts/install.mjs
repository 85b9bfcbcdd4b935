// Builds the oneDNN addon at install time. Installing must never fail for
// want of a toolchain: when something is missing, or the compiler fails, this
// prints why, records it in build/install-status.json for `initBackend('native')`
// to repeat, and exits 0 with no binary. `--strict` (pnpm build:native) fails instead.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const strict = process.argv.includes('--strict');
const APT = 'apt-get install -y g++ make python3 libdnnl-dev';

/** A program on PATH, as `which` finds it. */
function onPath(name) {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, name)));
}

/** oneDNN's C++ header where Debian's libdnnl-dev (or a /usr/local build) puts it. */
function onednnHeader() {
  const dirs = ['/usr/include', '/usr/local/include', ...(process.env.CPATH ?? '').split(delimiter).filter(Boolean)];
  return dirs.some((dir) => existsSync(join(dir, 'oneapi/dnnl/dnnl.hpp')));
}

function resolves(specifier) {
  try {
    return createRequire(join(root, 'package.json')).resolve(specifier);
  } catch {
    return undefined;
  }
}

function missingRequirements() {
  const missing = [];
  if (process.platform !== 'linux')
    missing.push(`Linux (this is ${process.platform}; the build is written for Linux + oneDNN)`);
  if (!onPath('g++') && !onPath('c++')) missing.push('a C++ compiler (g++)');
  if (!onPath('make')) missing.push('make');
  if (!onPath('python3')) missing.push('python3 (node-gyp runs on it)');
  if (!onednnHeader()) missing.push('oneDNN headers and library (libdnnl-dev)');
  if (!resolves('node-gyp/bin/node-gyp.js')) missing.push('node-gyp (a dependency of this package)');
  if (!resolves('node-addon-api')) missing.push('node-addon-api (a dependency of this package)');
  return missing;
}

function record(status) {
  mkdirSync(join(root, 'build'), { recursive: true });
  writeFileSync(join(root, 'build', 'install-status.json'), `${JSON.stringify(status, null, 2)}\n`);
}

function giveUp(status, message) {
  rmSync(join(root, 'build', 'Release'), { recursive: true, force: true });
  record({ built: false, ...status, apt: APT });
  console.warn(`@convkit/backend-native: not built: ${message}`);
  console.warn(
    `  the 'native' backend stays unavailable; other backends work. To build it: ${APT}, then pnpm rebuild @convkit/backend-native`,
  );
  process.exit(strict ? 1 : 0);
}

const missing = missingRequirements();
if (missing.length > 0) giveUp({ missing }, `missing ${missing.join(', ')}`);

// Headers of the running Node: with an installed Node they sit beside it, so nothing is downloaded.
const prefix = join(dirname(process.execPath), '..');
const nodedir = existsSync(join(prefix, 'include', 'node', 'common.gypi')) ? [`--nodedir=${prefix}`] : [];
const nodeGyp = resolves('node-gyp/bin/node-gyp.js');
const result = spawnSync(process.execPath, [nodeGyp, 'rebuild', '--release', ...nodedir], {
  cwd: root,
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'pipe'],
});
const log = `${result.stdout ?? ''}${result.stderr ?? ''}`;
const binary = join(root, 'build', 'Release', 'convkit_native.node');
if (result.status !== 0 || !existsSync(binary)) {
  writeFileSync(join(root, 'build-error.log'), log);
  const tail = log.trim().split('\n').slice(-5).join('\n  ');
  giveUp(
    { missing: [], error: `node-gyp rebuild exited with ${result.status}` },
    `node-gyp failed (log: build-error.log):\n  ${tail}`,
  );
}
rmSync(join(root, 'build-error.log'), { force: true });
record({ built: true, missing: [] });
console.log(`@convkit/backend-native: built ${binary}`);
