// Compiles the CUDA sources (native/*.cu) with nvcc into
// build/cuda/libconvkit_kernels.a, which binding.gyp's convkit_cuda target
// links with the static CUDA runtime. Used by install.mjs.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import os from 'node:os';
import { delimiter, join } from 'node:path';

/**
 * GPU architectures: machine code for Ampere (sm_80) and Hopper (sm_90), and
 * PTX for Turing (compute_75) that the driver compiles for any newer GPU.
 * CONVKIT_CUDA_ARCH replaces them (`native` for the GPU of the build machine,
 * or nvcc -gencode flags).
 */
export function archFlags() {
  const custom = process.env.CONVKIT_CUDA_ARCH?.trim();
  if (custom === 'native') return ['-arch=native'];
  if (custom) return custom.split(/\s+/);
  return [
    '-gencode=arch=compute_80,code=sm_80',
    '-gencode=arch=compute_90,code=sm_90',
    '-gencode=arch=compute_75,code=compute_75',
  ];
}

/**
 * The CUDA toolkit: CUDA_HOME / CUDA_PATH, else /usr/local/cuda, else nvcc on PATH.
 * CONVKIT_CUDA=off: none, as on a machine without it (to check that install path).
 */
export function findCuda() {
  if (process.env.CONVKIT_CUDA === 'off') return undefined;
  const homes = [process.env.CUDA_HOME, process.env.CUDA_PATH, '/usr/local/cuda'].filter(Boolean);
  for (const home of homes) {
    const nvcc = join(home, 'bin', 'nvcc');
    if (existsSync(nvcc)) return { home, nvcc, cudart: existsSync(join(home, 'lib64', 'libcudart_static.a')) };
  }
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, 'nvcc'))) {
      return {
        home: join(dir, '..'),
        nvcc: join(dir, 'nvcc'),
        cudart: existsSync(join(dir, '..', 'lib64', 'libcudart_static.a')),
      };
    }
  }
  return undefined;
}

function run(command, args, cwd) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stdout.on('data', (chunk) => {
      log += chunk;
    });
    child.stderr.on('data', (chunk) => {
      log += chunk;
    });
    child.on('error', (error) => resolve({ status: -1, log: `${log}${error.message}\n` }));
    child.on('close', (status) => resolve({ status, log }));
  });
}

/** Compiles every .cu file (as many at once as there are cores) and archives them; resolves to { ok, log }. */
export async function buildCudaKernels(root, cuda) {
  const sources = readdirSync(join(root, 'native')).filter((f) => f.endsWith('.cu'));
  const out = join(root, 'build', 'cuda');
  mkdirSync(out, { recursive: true });
  const flags = ['-O3', '-std=c++17', '-Xcompiler=-fPIC,-fvisibility=hidden', '-lineinfo', ...archFlags()];
  const queue = [...sources];
  let log = '';
  let ok = true;
  const worker = async () => {
    for (let source = queue.shift(); source; source = queue.shift()) {
      const object = join(out, source.replace(/\.cu$/, '.o'));
      const result = await run(cuda.nvcc, [...flags, '-c', join('native', source), '-o', object], root);
      log += `nvcc ${source}: exit ${result.status}\n${result.log}`;
      if (result.status !== 0) ok = false;
    }
  };
  const parallel = Math.max(1, Math.min(sources.length, os.availableParallelism?.() ?? os.cpus().length));
  await Promise.all(Array.from({ length: parallel }, worker));
  if (!ok) return { ok, log };
  const objects = sources.map((s) => join(out, s.replace(/\.cu$/, '.o')));
  const archive = await run('ar', ['rcs', join(out, 'libconvkit_kernels.a'), ...objects], root);
  log += archive.log;
  return { ok: archive.status === 0, log };
}
