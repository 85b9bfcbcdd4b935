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

/** What the PyTorch CUDA probe prints (one JSON line). */
interface TorchCudaProbe {
  torch?: string;
  error?: string;
  cuda?: string | null;
  cudnn?: number | null;
  available?: boolean;
  device?: string;
}

const TORCH_CUDA_PROBE = `
import json
try:
    import torch
except Exception as error:
    print(json.dumps({"error": f"{type(error).__name__}: {error}"}))
    raise SystemExit(0)
info = {"torch": torch.__version__, "cuda": torch.version.cuda, "available": torch.cuda.is_available()}
info["cudnn"] = torch.backends.cudnn.version() if torch.backends.cudnn.is_available() else None
if info["available"]:
    info["device"] = torch.cuda.get_device_name(0)
print(json.dumps(info))
`;

/**
 * The interpreters tried for PyTorch CUDA, in order: `CONVKIT_BENCH_PYTHON`
 * when set, the `python3` on PATH (where pip or conda put a CUDA build), then
 * Debian's (whose python3-torch is CPU-only, but says so).
 */
export function torchCudaPythons(env: NodeJS.ProcessEnv = process.env): string[] {
  return [...new Set([env.CONVKIT_BENCH_PYTHON, 'python3', PYTHON].filter((p): p is string => Boolean(p)))];
}

/** A probe's answer as a status: available with its versions and GPU, or why not. */
export function torchCudaStatus(python: string, probe: TorchCudaProbe | undefined): PeerStatus & { python: string } {
  if (!probe?.torch) {
    return {
      available: false,
      python,
      reason: `no PyTorch for ${python} (${probe?.error ?? 'the probe did not answer'})`,
    };
  }
  if (!probe.cuda) {
    return { available: false, python, reason: `PyTorch ${probe.torch} for ${python} is a CPU-only build` };
  }
  if (!probe.available) {
    return {
      available: false,
      python,
      reason: `PyTorch ${probe.torch} (CUDA ${probe.cuda}) for ${python}: torch.cuda.is_available() is false (no NVIDIA GPU or driver)`,
    };
  }
  const cudnn = probe.cudnn ? `, cuDNN ${probe.cudnn}` : ', no cuDNN';
  return {
    available: true,
    python,
    version: probe.torch,
    detail: `PyTorch ${probe.torch} CUDA ${probe.cuda}${cudnn}, ${probe.device ?? 'GPU'} (${python})`,
  };
}

/**
 * Finds a PyTorch that can run on a GPU here (see torchCudaPythons); never
 * installs one (Debian's python3-torch has no CUDA). Unavailable: the reason
 * from each interpreter tried, and how to get a CUDA build.
 */
export function findTorchCuda(env: NodeJS.ProcessEnv = process.env): PeerStatus & { python: string } {
  const tried: string[] = [];
  for (const python of torchCudaPythons(env)) {
    const run = spawnSync(python, ['-c', TORCH_CUDA_PROBE], { encoding: 'utf8', timeout: 120_000, env });
    let probe: TorchCudaProbe | undefined;
    try {
      const line = (run.stdout ?? '').trim().split('\n').at(-1);
      probe = line ? (JSON.parse(line) as TorchCudaProbe) : undefined;
    } catch {
      probe = undefined;
    }
    if (run.error) probe = { error: run.error.message };
    const status = torchCudaStatus(python, probe);
    if (status.available) return status;
    tried.push(status.reason);
  }
  return {
    available: false,
    python: PYTHON,
    reason: `PyTorch CUDA unavailable: ${tried.join('; ')}. On a GPU machine: pip install torch (a CUDA build), or set CONVKIT_BENCH_PYTHON to the python that has it`,
  };
}
