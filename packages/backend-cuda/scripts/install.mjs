// Builds the GPU addon at install time (binding.gyp) where nvcc is found
// (CUDA_HOME, PATH or /usr/local/cuda), and nothing CUDA elsewhere: one line
// says so. The CPU emulator (for tests) is built only when asked:
// CONVKIT_CUDA_EMULATOR=1, or scripts/emulator.mjs. Installing never fails for
// want of a toolchain: the script records why in build/install-status.json
// (src/addon.ts repeats it) and exits 0; `--strict` (pnpm build:cuda) fails instead.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildCudaKernels, findCuda } from './cuda.mjs';
import { buildEmulator } from './emulator.mjs';
import { gyp, missingToolchain, record, root } from './toolchain.mjs';

const NAME = '@convkit/backend-cuda';
const strict = process.argv.includes('--strict');
const HINT = 'install the CUDA toolkit (nvcc, with libcudart_static) and set CUDA_HOME if it is not in /usr/local/cuda';
const emulatorWanted = process.env.CONVKIT_CUDA_EMULATOR === '1';
const logs = [];

/** Builds the GPU addon; the status that src/addon.ts reads. */
async function buildGpu(cuda) {
  const status = { built: false, missing: missingToolchain() };
  if (!cuda.cudart) status.missing.push(`libcudart_static.a in ${cuda.home}/lib64 (${HINT})`);
  if (status.missing.length > 0) return status;
  gyp(root, logs, 'clean');
  const kernels = await buildCudaKernels(root, cuda);
  logs.push(kernels.log);
  if (!kernels.ok) return { ...status, error: 'nvcc failed to compile the CUDA kernels' };
  if (gyp(root, logs, 'configure', '--', `-Dcuda_home=${cuda.home}`)) gyp(root, logs, 'build', '--jobs', 'max');
  const built = existsSync(join(root, 'build', 'Release', 'convkit_cuda.node'));
  return built ? { ...status, built } : { ...status, error: 'the compiler failed (convkit_cuda)' };
}

const cuda = findCuda();
let gpu = { built: false, missing: [`nvcc (${HINT})`] };
if (cuda) {
  gpu = await buildGpu(cuda);
  if (gpu.built) console.log(`${NAME}: built the CUDA addon with ${cuda.nvcc}`);
  else console.warn(`${NAME}: CUDA addon not built: ${gpu.missing.join(', ') || gpu.error}`);
} else {
  rmSync(join(root, 'build', 'Release'), { recursive: true, force: true });
  console.log(
    `${NAME}: nvcc not found, CUDA addon not built (set CONVKIT_CUDA_EMULATOR=1 to build the CPU emulator for tests)`,
  );
}
record(root, gpu, logs);
if (emulatorWanted) {
  const emulator = buildEmulator();
  if (emulator.built) console.log(`${NAME}: built the CUDA emulator`);
  else console.warn(`${NAME}: CUDA emulator not built: ${emulator.missing.join(', ') || emulator.error}`);
} else if (!existsSync(join(root, 'emulator', 'build', 'Release'))) {
  // Opt-in: src/addon.ts tells whoever asks for it how to build it.
  record(join(root, 'emulator'), { built: false, optIn: true }, []);
}
process.exit(strict && !gpu.built ? 1 : 0);
