// Builds the package's addons at install time (binding.gyp):
// - convkit_native: oneDNN kernels for the CPU, when libdnnl-dev is installed;
// - convkit_cuda: the CUDA kernels, when nvcc is found (CUDA_HOME, PATH or /usr/local/cuda);
// - convkit_cuda_emulated: the same CUDA kernels run on the CPU (tests on machines without a GPU).
// Installing must never fail for want of a toolchain: what is missing or fails
// is printed and recorded in build/install-status.json for initBackend() to
// repeat, and the script exits 0. `--strict` (pnpm build:native) fails instead.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCudaKernels, findCuda } from './cuda.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const strict = process.argv.includes('--strict');
const APT = 'apt-get install -y g++ make python3 libdnnl-dev';
// This script by its absolute path: it reruns under npm, pnpm or a workspace alike, where pnpm 12's
// `pnpm rebuild <pkg>` answers "Already up to date" without running it (src/addon.ts prints the same).
const self = join(root, 'scripts', 'install.mjs');
const REBUILD_COMMAND = `node ${/^[\w@%+=:,./-]+$/.test(self) ? self : `'${self.replaceAll("'", "'\\''")}'`}`;
const CUDA_HINT =
  'install the CUDA toolkit (nvcc, with libcudart_static) and set CUDA_HOME if it is not in /usr/local/cuda';

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
  return missing;
}

const status = {
  native: { built: false, missing: [] },
  cuda: { built: false, missing: [] },
  cudaEmulated: { built: false, missing: [] },
  apt: APT,
};

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
  const failed = Object.values(status).some((a) => typeof a === 'object' && a.error);
  process.exit(strict && (!status.native.built || failed) ? 1 : 0);
}

const toolchain = missingToolchain();
if (toolchain.length > 0) {
  for (const addon of [status.native, status.cuda, status.cudaEmulated]) addon.missing = [...toolchain];
  rmSync(join(root, 'build', 'Release'), { recursive: true, force: true });
  finish();
}
if (!onednnHeader()) status.native.missing.push('oneDNN headers and library (libdnnl-dev)');
const cuda = findCuda();
if (!cuda) status.cuda.missing.push(`nvcc (${CUDA_HINT})`);
else if (!cuda.cudart) status.cuda.missing.push(`libcudart_static.a in ${cuda.home}/lib64 (${CUDA_HINT})`);

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

function configure(withCuda) {
  const flags = [`-Dwith_onednn=${status.native.missing.length === 0 ? 1 : 0}`, `-Dwith_cuda=${withCuda ? 1 : 0}`];
  if (cuda) flags.push(`-Dcuda_home=${cuda.home}`);
  return gyp('configure', '--release', ...nodedir, '--', ...flags);
}

gyp('clean');
let withCuda = status.cuda.missing.length === 0;
if (!configure(withCuda)) {
  status.native.error = status.cudaEmulated.error = 'node-gyp configure failed';
} else {
  if (withCuda) {
    const kernels = await buildCudaKernels(root, cuda);
    logs.push(kernels.log);
    if (!kernels.ok) {
      status.cuda.error = 'nvcc failed to compile the CUDA kernels';
      withCuda = false;
      configure(false);
    }
  }
  gyp('build', '--jobs', 'max');
}

const binary = (name) => existsSync(join(root, 'build', 'Release', `${name}.node`));
const addons = { native: 'convkit_native', cuda: 'convkit_cuda', cudaEmulated: 'convkit_cuda_emulated' };
for (const [key, name] of Object.entries(addons)) {
  const addon = status[key];
  addon.built = binary(name);
  if (!addon.built && addon.missing.length === 0 && !addon.error) addon.error = `the compiler failed (${name})`;
}
const failed = Object.values(addons).some((name) => !binary(name));
if (failed) writeFileSync(join(root, 'build-error.log'), logs.join('\n'));
else rmSync(join(root, 'build-error.log'), { force: true });
finish();
