import { APT_COMMAND, BINARY, loadAddon, NativeUnavailableError } from './addon.js';
import { NATIVE_KERNELS } from './backend.js';

/** Whether the native backend can start here, and if not, why. */
export interface NativeStatus {
  /** The addon is built and loads. */
  available: boolean;
  /** Why it is not available, with the commands that fix it. */
  reason?: string;
  /** Build requirements the install script did not find (empty when it found them all). */
  missing: readonly string[];
  /** The Debian command that installs what the build needs. */
  apt: string;
  /** Where the addon is (or would be). */
  binary: string;
  /** oneDNN's version and the instruction set it targets, when available. */
  onednn?: string;
  isa?: string;
  /** The kernels that run natively; every other kernel runs the cpu backend's on the same memory. */
  kernels: readonly string[];
}

/**
 * What the native backend would run with, without registering it: the
 * question to ask before `initBackend('native')`, and what `'auto'` asks.
 */
export function nativeStatus(): NativeStatus {
  const base = { apt: APT_COMMAND, binary: BINARY, kernels: NATIVE_KERNELS };
  try {
    const { onednn, isa } = loadAddon().describe();
    return { ...base, available: true, missing: [], onednn, isa };
  } catch (error) {
    if (!(error instanceof NativeUnavailableError)) throw error;
    return { ...base, available: false, reason: error.message, missing: error.missing };
  }
}
