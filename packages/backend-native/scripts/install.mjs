// Builds the package's addon at install time (binding.gyp): convkit_native,
// oneDNN kernels for the CPU, when libdnnl-dev is installed. (The CUDA addons
// are @convkit/backend-cuda's.) Installing must never fail for want of a toolchain: what is missing or fails
// is printed and recorded in build/install-status.json for initBackend() to
// repeat, and the script exits 0. `--strict` (pnpm build:native) fails instead.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const strict = process.argv.includes('--strict');
const APT = 'apt-get install -y g++ make python3 libdnnl-dev';
// This script by its absolute path: it reruns under npm, pnpm or a workspace alike, where pnpm 12's
// `pnpm rebuild <pkg>` answers "Already up to date" without running it (src/addon.ts prints the same).
const self = join(root, 'scripts', 'install.mjs');
const REBUILD_COMMAND = `node ${/^[\w@%+=:,./-]+$/.test(self) ? self : `'${self.replaceAll("'", "'\\''")}'`}`;

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

/** What every addon needs: a C++ toolchain for node-gyp. */
function missingToolchain() {
  const missing = [];
  if (process.platform !== 'linux') missing.push(`Linux (this is ${process.platform}; the build is written for Linux)`);
  if (!onPath('g++') && !onPath('c++')) missing.push('a C++ compiler (g++)');
  if (!onPath('make')) missing.push('make');
  if (!onPath('python3')) missing.push('python3 (node-gyp runs on it)');
  if (!resolves('node-gyp/bin/node-gyp.js')) missing.push('node-gyp (a dependency of this package)');
  if (!resolves('node-addon-api')) missing.push('node-addon-api (a dependency of this package)');
  if (!resolves('@convkit/backend/package.json'))
    missing.push('@convkit/backend (a dependency of this package: its include/ headers)');
  return missing;
}

const status = { native: { built: false, missing: [] }, apt: APT };

function record() {
  mkdirSync(join(root, 'build'), { recursive: true });
  writeFileSync(join(root, 'build', 'install-status.json'), `${JSON.stringify(status, null, 2)}\n`);
}

function finish() {
  record();
  for (const [name, addon] of Object.entries(status)) {
    if (typeof addon !== 'object') continue;
    if (addon.built) console.log(`@convkit/backend-native: built ${name}`);
    else console.warn(`@convkit/backend-native: ${name} not built: ${addon.missing.join(', ') || addon.error}`);
  }
  if (!status.native.built) {
    console.warn(
      `  the 'native' backend stays unavailable; other backends work. To build it: ${APT}, then ${REBUILD_COMMAND}`,
    );
  }
  process.exit(strict && !status.native.built ? 1 : 0);
}

const toolchain = missingToolchain();
if (toolchain.length > 0) {
  status.native.missing = [...toolchain];
  rmSync(join(root, 'build', 'Release'), { recursive: true, force: true });
  finish();
}
if (!onednnHeader()) {
  status.native.missing.push('oneDNN headers and library (libdnnl-dev)');
  rmSync(join(root, 'build', 'Release'), { recursive: true, force: true });
  finish();
}

// Headers of the running Node: with an installed Node they sit beside it, so nothing is downloaded.
const prefix = join(dirname(process.execPath), '..');
const nodedir = existsSync(join(prefix, 'include', 'node', 'common.gypi')) ? [`--nodedir=${prefix}`] : [];
const nodeGyp = resolves('node-gyp/bin/node-gyp.js');
const logs = [];

function gyp(...args) {
  const result = spawnSync(process.execPath, [nodeGyp, ...args], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  logs.push(`node-gyp ${args.join(' ')}: exit ${result.status}\n${result.stdout ?? ''}${result.stderr ?? ''}`);
  return result.status === 0;
}

gyp('clean');
if (!gyp('configure', '--release', ...nodedir)) status.native.error = 'node-gyp configure failed';
else gyp('build', '--jobs', 'max');

status.native.built = existsSync(join(root, 'build', 'Release', 'convkit_native.node'));
if (!status.native.built && !status.native.error) status.native.error = 'the compiler failed (convkit_native)';
if (!status.native.built) writeFileSync(join(root, 'build-error.log'), logs.join('\n'));
else rmSync(join(root, 'build-error.log'), { force: true });
finish();
