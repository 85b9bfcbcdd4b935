import { existsSync } from 'node:fs';
// @ts-expect-error: a plain .mjs build script, without types
import { buildEmulator, EMULATOR_BINARY } from './scripts/emulator.mjs';

/**
 * Builds the CUDA emulator once before the tests when it is not built (it is
 * opt-in at install). Where it cannot be built (no g++), the kernel tests say
 * so and skip — except in CI, where that is a failure: .ci/run installs g++.
 */
export default function setup(): void {
  if (existsSync(EMULATOR_BINARY)) return;
  console.info('@convkit/backend-cuda tests: building the CUDA emulator (once; scripts/emulator.mjs)');
  const status = buildEmulator() as { built: boolean; missing: string[]; error?: string };
  if (status.built) return;
  const why = status.missing.join(', ') || status.error;
  if (process.env.CI) throw new Error(`CI must build the CUDA emulator: ${why}`);
  console.warn(`@convkit/backend-cuda: CUDA emulator not built (${why}): kernel tests skip`);
}
