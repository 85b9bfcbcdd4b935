import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { PeerStatus } from './onnxruntime.js';
import { PEERS_DIR } from './paths.js';

/** Debian's interpreter: python3-torch installs for it, not for a venv or a pyenv python. */
export const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

function torchVersion(): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  return probe.status === 0 ? probe.stdout.trim() : undefined;
}

/** Where Debian's OpenBLAS (OpenMP build) puts its libblas.so.3, installed or unpacked into `.peers/`. */
const OPENBLAS_SUBDIR = 'usr/lib/x86_64-linux-gnu/openblas-openmp';

/**
 * Debian's PyTorch calls whatever `libblas.so.3` the system points at, by
 * default the reference BLAS (2.4 GFLOP/s on SGEMM 2048³ here, where OpenBLAS
 * gives 190): its dense layers would be ten times slower than PyTorch as
 * people run it. The bench runs it on OpenBLAS through LD_LIBRARY_PATH: the
 * system's when installed, else `libopenblas0-openmp` unpacked into `.peers/`
 * with `apt-get download` (no system change). Undefined when neither works.
 */
export function ensureOpenBlas(log: (line: string) => void): string | undefined {
  const system = join('/', OPENBLAS_SUBDIR);
  if (existsSync(join(system, 'libblas.so.3'))) return system;
  const unpacked = join(PEERS_DIR, 'openblas');
  if (existsSync(join(unpacked, OPENBLAS_SUBDIR, 'libblas.so.3'))) return join(unpacked, OPENBLAS_SUBDIR);
  if (!existsSync('/usr/bin/apt-get')) return undefined;
  log('OpenBLAS for PyTorch: apt-get download libopenblas0-openmp into .peers/openblas …');
  mkdirSync(unpacked, { recursive: true });
  const download = spawnSync('apt-get', ['download', 'libopenblas0-openmp'], {
    cwd: unpacked,
    encoding: 'utf8',
    timeout: 300_000,
  });
  const deb = readdirSync(unpacked).find((f) => f.startsWith('libopenblas0-openmp') && f.endsWith('.deb'));
  if (download.status !== 0 || !deb) return undefined;
  spawnSync('dpkg', ['-x', join(unpacked, deb), unpacked], { encoding: 'utf8' });
  return existsSync(join(unpacked, OPENBLAS_SUBDIR, 'libblas.so.3')) ? join(unpacked, OPENBLAS_SUBDIR) : undefined;
}

/**
 * Finds PyTorch for the system python; when it is missing and the bench runs
 * as root on Debian, installs `python3-torch` with apt (1.13.1 on bookworm).
 */
export function ensureTorch(log: (line: string) => void): PeerStatus {
  let version = torchVersion();
  if (version === undefined) {
    const root = process.getuid?.() === 0;
    if (!root || !existsSync('/usr/bin/apt-get')) {
      return {
        available: false,
        reason: `PyTorch is missing for ${PYTHON}: install it with \`apt-get install python3-torch\` (as root) and run the bench again`,
      };
    }
    log('PyTorch missing: apt-get install -y python3-torch …');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const apt = (args: string[]) => spawnSync('apt-get', args, { encoding: 'utf8', env, timeout: 900_000 });
    let install = apt(['install', '-y', 'python3-torch']);
    if (install.status !== 0) {
      // A fresh container has no package lists yet.
      apt(['update']);
      install = apt(['install', '-y', 'python3-torch']);
    }
    version = torchVersion();
    if (version === undefined) {
      const why = (install.stderr || install.stdout || '').trim().split('\n').slice(-2).join(' ');
      return { available: false, reason: `apt-get install python3-torch failed: ${why}` };
    }
  }
  return { available: true, version, detail: `PyTorch ${version} CPU (${PYTHON})` };
}
