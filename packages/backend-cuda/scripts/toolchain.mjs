// What both build scripts (install.mjs, emulator.mjs) need: the C++ toolchain
// check, node-gyp run in a folder, and the status file the package's
// src/addon.ts reads to say why an addon is missing.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** A program on PATH, as `which` finds it. */
export function onPath(name) {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, name)));
}

function resolves(specifier) {
  try {
    return createRequire(join(root, 'package.json')).resolve(specifier);
  } catch {
    return undefined;
  }
}

/** What node-gyp needs to build either addon, in words; empty when all is there. */
export function missingToolchain() {
  const missing = [];
  if (process.platform !== 'linux') missing.push(`Linux (this is ${process.platform}; the build is written for Linux)`);
  if (!onPath('g++') && !onPath('c++')) missing.push('a C++ compiler (g++)');
  if (!onPath('make')) missing.push('make');
  if (!onPath('python3')) missing.push('python3 (node-gyp runs on it)');
  for (const dependency of ['node-gyp/bin/node-gyp.js', 'node-addon-api', '@convkit/backend/package.json']) {
    if (!resolves(dependency)) missing.push(`${dependency.split('/package.json')[0]} (a dependency of this package)`);
  }
  return missing;
}

// Headers of the running Node: with an installed Node they sit beside it, so nothing is downloaded.
const prefix = join(dirname(process.execPath), '..');
const nodedir = existsSync(join(prefix, 'include', 'node', 'common.gypi')) ? [`--nodedir=${prefix}`] : [];

/** Runs node-gyp in `folder`, appending its output to `logs`; true when it exits 0. */
export function gyp(folder, logs, command, ...args) {
  const extra = command === 'configure' ? ['--release', ...nodedir] : [];
  const result = spawnSync(process.execPath, [resolves('node-gyp/bin/node-gyp.js'), command, ...extra, ...args], {
    cwd: folder,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  logs.push(
    `node-gyp ${command} ${args.join(' ')}: exit ${result.status}\n${result.stdout ?? ''}${result.stderr ?? ''}`,
  );
  return result.status === 0;
}

/** Writes `status` to `folder`/build/install-status.json, and the build logs beside the package on failure. */
export function record(folder, status, logs) {
  mkdirSync(join(folder, 'build'), { recursive: true });
  writeFileSync(join(folder, 'build', 'install-status.json'), `${JSON.stringify(status, null, 2)}\n`);
  if (!status.built && logs.length > 0) writeFileSync(join(root, 'build-error.log'), logs.join('\n'));
}
