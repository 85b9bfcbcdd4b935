// Builds the CUDA emulator (emulator/binding.gyp): the CUDA kernels compiled
// as C++ and run on the CPU, for the package's tests on machines without a
// GPU. Opt-in: `pnpm build:emulator`, CONVKIT_CUDA_EMULATOR=1 at install, or
// the test run's global setup (vitest.setup.ts). Exits 1 when it cannot build.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gyp, missingToolchain, record, root } from './toolchain.mjs';

const folder = join(root, 'emulator');
export const EMULATOR_BINARY = join(folder, 'build', 'Release', 'convkit_cuda_emulated.node');

/** Builds the emulator; resolves to the status recorded in emulator/build/install-status.json. */
export function buildEmulator() {
  const logs = [];
  const status = { built: false, missing: missingToolchain() };
  if (status.missing.length === 0) {
    rmSync(join(folder, 'build'), { recursive: true, force: true });
    if (gyp(folder, logs, 'configure')) gyp(folder, logs, 'build', '--jobs', 'max');
    status.built = existsSync(EMULATOR_BINARY);
    if (!status.built) status.error = 'the compiler failed (convkit_cuda_emulated)';
  }
  record(folder, status, logs);
  return status;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const status = buildEmulator();
  if (status.built) console.log(`@convkit/backend-cuda: built the CUDA emulator (${EMULATOR_BINARY})`);
  else console.error(`@convkit/backend-cuda: CUDA emulator not built: ${status.missing.join(', ') || status.error}`);
  process.exit(status.built ? 0 : 1);
}
