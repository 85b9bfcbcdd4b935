import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** The package's folder: the GPU addon is in build/Release, the emulator in emulator/build/Release. */
const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Where the install scripts put the compiler's output when a build fails. */
const BUILD_LOG = `${PACKAGE_ROOT}build-error.log`;

/** A path as one shell word: quoted only when it holds characters a shell would split or expand. */
function shellQuote(path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replaceAll("'", "'\\''")}'`;
}

/**
 * The commands that build each addon again, by absolute path so they work whatever installed the package
 * (pnpm 12's `pnpm rebuild <pkg>` answers "Already up to date" without running the script).
 */
const REBUILD: Record<'gpu' | 'emulated', string> = {
  gpu: `then rebuild it: node ${shellQuote(`${PACKAGE_ROOT}scripts/install.mjs`)}`,
  emulated: `build it with: node ${shellQuote(`${PACKAGE_ROOT}scripts/emulator.mjs`)} (needs g++, make and python3)`,
};

/** What scripts/install.mjs and scripts/emulator.mjs record, per addon. */
interface InstallStatus {
  built: boolean;
  missing?: string[];
  error?: string;
  /** The emulator: not built because it is opt-in. */
  optIn?: boolean;
}

/** What a build script recorded for one addon (undefined: it never ran). */
function installStatus(mode: 'gpu' | 'emulated'): InstallStatus | undefined {
  const file = mode === 'gpu' ? 'build/install-status.json' : 'emulator/build/install-status.json';
  try {
    return JSON.parse(readFileSync(`${PACKAGE_ROOT}${file}`, 'utf8')) as InstallStatus;
  } catch {
    return undefined;
  }
}

/** What the CUDA addon reports about its device (native/cuda/addon.cc). */
export interface CudaDevice {
  /** The GPU's name, or the emulator's. */
  name: string;
  /** e.g. `9.0` for an H100. */
  computeCapability: string;
  totalBytes: number;
  multiprocessors: number;
  /** CUDA's encoding: 13000 = 13.0. */
  driverVersion: number;
  runtimeVersion: number;
  /** true: the kernels run on the CPU in convkit's emulator (tests without a GPU), not on a GPU. */
  emulated: boolean;
}

/** The device memory the caching allocator holds (bytes), and how often it asked the driver for more. */
export interface CudaMemory {
  liveBytes: number;
  liveBlocks: number;
  cachedBytes: number;
  peakBytes: number;
  deviceAllocations: number;
}

/** Element types as the addon numbers them; bool is stored as int32 0/1. */
export const DTYPE_CODE = { float32: 0, int32: 1, bool: 2 } as const;

/**
 * The functions every CUDA addon exports. Device memory is passed as its
 * address (a JS number); the addon refuses addresses that are not live blocks
 * of its allocator. Every call is queued on one stream; `download` waits.
 */
export interface CudaAddon {
  device(): CudaDevice;
  allocate(bytes: number): number;
  release(pointer: number): void;
  upload(pointer: number, values: ArrayBufferView): void;
  download(pointer: number, into: ArrayBufferView): void;
  copy(to: number, from: number, bytes: number): void;
  zero(pointer: number, bytes: number): void;
  synchronize(): void;
  memory(): CudaMemory;
  emptyCache(): void;
  fill(out: number, count: number, value: number, dtype: number): void;
  cast(out: number, input: number, count: number, from: number, to: number): void;
  /** Copies a box of 4-byte elements; strides and offsets in elements, per dimension, may be negative. */
  stridedCopy(
    to: number,
    from: number,
    dims: Int32Array,
    toStrides: Int32Array,
    fromStrides: Int32Array,
    toOffset: number,
    fromOffset: number,
  ): void;
}

/** `'gpu'`: the nvcc-built addon; `'emulated'`: the same kernels compiled as C++, run on the CPU. */
export type CudaMode = 'gpu' | 'emulated';

const BINARIES: Record<CudaMode, string> = {
  gpu: `${PACKAGE_ROOT}build/Release/convkit_cuda.node`,
  emulated: `${PACKAGE_ROOT}emulator/build/Release/convkit_cuda_emulated.node`,
};

/** Where each CUDA addon is (or would be) built. */
export function cudaBinary(mode: CudaMode): string {
  return BINARIES[mode];
}

/**
 * Thrown when the CUDA backend cannot start: not built (no nvcc at install),
 * no NVIDIA driver, no device. The message says which, and what fixes it.
 */
export class CudaUnavailableError extends Error {
  override readonly name = 'CudaUnavailableError';
}

function whyNotBuilt(mode: CudaMode): CudaUnavailableError {
  const status = installStatus(mode);
  const what = mode === 'gpu' ? 'the CUDA addon' : 'the emulated CUDA addon';
  const rebuild = REBUILD[mode];
  if (mode === 'emulated' && (status === undefined || status.optIn)) {
    return new CudaUnavailableError(
      `${what} is not built (no ${BINARIES[mode]}): the emulator is opt-in, built for tests only; ${rebuild}, or install with CONVKIT_CUDA_EMULATOR=1`,
    );
  }
  if (status === undefined) {
    return new CudaUnavailableError(
      `${what} is not built (no ${BINARIES[mode]}) and the package's install script never ran: allow it (pnpm approve-builds), ${rebuild}`,
    );
  }
  if (status.missing?.length) {
    return new CudaUnavailableError(`${what} was not built: missing ${status.missing.join(', ')}; ${rebuild}`);
  }
  return new CudaUnavailableError(
    `${what} failed to compile (${status.error ?? 'no binary produced'}; the compiler's output is in ${BUILD_LOG}); ${rebuild}`,
  );
}

const loaded = new Map<CudaMode, CudaAddon>();

/**
 * The addon for `mode`, loaded once and checked to have a device: throws
 * CudaUnavailableError saying why not (not built, no driver, no GPU). Loading
 * the GPU addon on a machine without CUDA never crashes: the CUDA runtime is
 * linked statically and looks for the driver only when asked.
 */
export function loadCudaAddon(mode: CudaMode): CudaAddon {
  const known = loaded.get(mode);
  if (known) return known;
  const binary = BINARIES[mode];
  if (!existsSync(binary)) throw whyNotBuilt(mode);
  let addon: CudaAddon;
  try {
    addon = createRequire(import.meta.url)(binary) as CudaAddon;
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new CudaUnavailableError(`${binary} does not load: ${detail}; ${REBUILD[mode]}`, { cause });
  }
  try {
    addon.device();
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message.replace(/^convkit cuda: device: /, '') : String(cause);
    throw new CudaUnavailableError(`no CUDA device: ${detail}`, { cause });
  }
  loaded.set(mode, addon);
  return addon;
}
