/**
 * The backend names, in one list: `initBackend`, its error messages and the
 * CLI's `--backend` flag, usage and config check all read them from here.
 * This module imports nothing, so a CLI's help text can list the names
 * without loading tfjs (it is also the `@convkit/backend/names` entry).
 */

/**
 * Backends `initBackend` starts. `'native'` (oneDNN on the CPU) and `'cuda'`
 * (NVIDIA GPUs) need `@convkit/backend-native` installed beside this package.
 */
export const BACKEND_NAMES = ['cpu', 'wasm', 'webgpu', 'native', 'cuda'] as const;

/** One of {@link BACKEND_NAMES}. */
export type BackendName = (typeof BACKEND_NAMES)[number];

/** What `initBackend` accepts: `'auto'` (it picks, and says why) or one of {@link BACKEND_NAMES}. */
export const BACKEND_CHOICES = ['auto', ...BACKEND_NAMES] as const;

/** One of {@link BACKEND_CHOICES}. */
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

/** Whether `value` is one of {@link BACKEND_CHOICES} (for checking a flag or a config file's value). */
export function isBackendChoice(value: unknown): value is BackendChoice {
  return (BACKEND_CHOICES as readonly unknown[]).includes(value);
}
