import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** The functions the compiled addon exports (native/*.cc); every array is used in place, nothing is copied. */
export interface Addon {
  setThreads(threads: number): number;
  getThreads(): number;
  describe(): { onednn: string; isa: string; threads: number };
  /** false: oneDNN has no implementation for this geometry (the caller runs the cpu kernel). */
  conv2d(
    x: Float32Array,
    filter: Float32Array,
    bias: Float32Array | null,
    y: Float32Array,
    geometry: Int32Array,
    activation: number,
    alpha: number,
    filterVersion: number,
  ): boolean;
  /** filterVersion: with the array's identity, when the addon may reuse its blocked copy of the filter (memory.ts). */
  conv2dBackpropInput(
    dy: Float32Array,
    filter: Float32Array,
    dx: Float32Array,
    geometry: Int32Array,
    filterVersion: number,
  ): boolean;
  conv2dBackpropFilter(x: Float32Array, dy: Float32Array, dw: Float32Array, geometry: Int32Array): boolean;
  batchMatMul(
    a: Float32Array,
    b: Float32Array,
    c: Float32Array,
    dims: Int32Array,
    bias: Float32Array | null,
    activation: number,
    alpha: number,
  ): boolean;
  maxPool(x: Float32Array, y: Float32Array, geometry: Int32Array): void;
  /** y: the forward's output, whose values mark each window's first maximum. */
  maxPoolGrad(x: Float32Array, y: Float32Array, dy: Float32Array, dx: Float32Array, geometry: Int32Array): void;
  avgPool(x: Float32Array, y: Float32Array, geometry: Int32Array): void;
  avgPoolGrad(dy: Float32Array, dx: Float32Array, geometry: Int32Array): void;
  lrn(x: Float32Array, y: Float32Array, shape: Int32Array, bias: number, alpha: number, beta: number): void;
  lrnGrad(
    x: Float32Array,
    y: Float32Array,
    dy: Float32Array,
    dx: Float32Array,
    shape: Int32Array,
    bias: number,
    alpha: number,
    beta: number,
  ): void;
  binary(op: number, a: Float32Array, b: Float32Array, out: Float32Array, sizes: Int32Array): void;
  /** Any broadcast: the output's shape and each operand's strides over it (0 along broadcast axes). */
  broadcast(
    op: number,
    a: Float32Array,
    b: Float32Array,
    out: Float32Array,
    shape: Int32Array,
    aStrides: Int32Array,
    bStrides: Int32Array,
  ): void;
  activation(x: Float32Array, y: Float32Array, activation: number, alpha: number): void;
  step(x: Float32Array, y: Float32Array, alpha: number): void;
  /** ReLU's gradient: dx = dy where x > 0, dy·0 elsewhere, NaN where x is NaN. */
  reluGrad(dy: Float32Array, x: Float32Array, dx: Float32Array): void;
  /** runs: [size, reduced] pairs, outermost first (src/kernels/reduce.ts). */
  sum(x: Float32Array, out: Float32Array, runs: Int32Array): void;
  batchNorm(
    x: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    offset: Float32Array | null,
    scale: Float32Array | null,
    y: Float32Array,
    epsilon: number,
  ): void;
  /** The fused SGD update (native/optimizer.cc); velocities null without momentum. */
  sgdUpdate(
    weights: Float32Array[],
    gradients: Float32Array[],
    velocities: Float32Array[] | null,
    newWeights: Float32Array[],
    newVelocities: Float32Array[] | null,
    decay: Uint8Array,
    lr: number,
    momentum: number,
    weightDecay: number,
    nesterov: boolean,
  ): void;
  /** The fused Adam update; bias1 and bias2 are 1 − β1^step and 1 − β2^step. */
  adamUpdate(
    weights: Float32Array[],
    gradients: Float32Array[],
    m: Float32Array[],
    v: Float32Array[],
    newWeights: Float32Array[],
    newM: Float32Array[],
    newV: Float32Array[],
    decay: Uint8Array,
    lr: number,
    beta1: number,
    beta2: number,
    epsilon: number,
    weightDecay: number,
    bias1: number,
    bias2: number,
  ): void;
}

/** The Debian packages the build needs, as one command. */
export const APT_COMMAND = 'apt-get install -y g++ make python3 libdnnl-dev';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Where node-gyp puts the addon; CONVKIT_NATIVE_BINARY names another build (a debug or sanitizer one). */
export const BINARY = process.env.CONVKIT_NATIVE_BINARY || `${ROOT}build/Release/convkit_native.node`;
const STATUS_FILE = `${ROOT}build/install-status.json`;
/**
 * The command that builds the addons again: this package's install script, by its absolute path, so it works
 * whatever installed the package (npm, pnpm, a workspace). pnpm 12's `pnpm rebuild <pkg>` answers "Already up to
 * date" without running the script. scripts/install.mjs prints the same command.
 */
export const REBUILD_COMMAND = `node ${shellQuote(`${ROOT}scripts/install.mjs`)}`;
export const REBUILD = `then rebuild it: ${REBUILD_COMMAND}`;

/** A path as one shell word: quoted only when it holds characters a shell would split or expand. */
function shellQuote(path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replaceAll("'", "'\\''")}'`;
}

/**
 * Thrown when the native backend cannot start: the message says what is
 * missing and the commands that fix it; `missing` lists the requirements the
 * install script did not find.
 */
export class NativeUnavailableError extends Error {
  override readonly name = 'NativeUnavailableError';
  readonly missing: readonly string[];

  constructor(message: string, missing: readonly string[] = [], options?: { cause?: unknown }) {
    super(message, options);
    this.missing = missing;
  }
}

/** What scripts/install.mjs records in build/install-status.json, per addon. */
export interface InstallStatus {
  built: boolean;
  missing?: string[];
  error?: string;
}

/** The addons scripts/install.mjs builds. */
export type AddonKey = 'native';

/** What the install script recorded for one addon (undefined: it never ran). */
export function installStatus(key: AddonKey): InstallStatus | undefined {
  try {
    const all = JSON.parse(readFileSync(STATUS_FILE, 'utf8')) as Partial<Record<AddonKey, InstallStatus>>;
    return all[key];
  } catch {
    return undefined;
  }
}

/** Where the install script's compiler output goes when a build fails. */
export const BUILD_LOG = `${ROOT}build-error.log`;
/** The package's folder (the addons are in build/Release). */
export const PACKAGE_ROOT = ROOT;

/** Why there is no binary, from what the install script recorded (undefined: it never ran). */
export function whyNotBuilt(status: InstallStatus | undefined): NativeUnavailableError {
  if (status === undefined) {
    return new NativeUnavailableError(
      `the addon is not built (no ${BINARY}) and its install script never ran: pnpm skips build scripts it was not allowed to run. Allow it (pnpm-workspace.yaml: allowBuilds: { '@convkit/backend-native': true }, or pnpm approve-builds), install the toolchain (${APT_COMMAND}), ${REBUILD}`,
    );
  }
  const missing = status.missing ?? [];
  if (missing.length > 0) {
    return new NativeUnavailableError(
      `the addon was not built at install: missing ${missing.join(', ')}. Install them with \`${APT_COMMAND}\`, ${REBUILD}`,
      missing,
    );
  }
  return new NativeUnavailableError(
    `the addon failed to compile at install (${status.error ?? 'no binary produced'}; the compiler's output is in ${BUILD_LOG}). Check the toolchain (${APT_COMMAND}), ${REBUILD}`,
  );
}

let loaded: Addon | undefined;
let failure: NativeUnavailableError | undefined;

/** The addon, loaded once; throws NativeUnavailableError saying why it is not there. */
export function loadAddon(): Addon {
  if (loaded) return loaded;
  if (failure) throw failure;
  if (!existsSync(BINARY)) {
    failure = whyNotBuilt(installStatus('native'));
    throw failure;
  }
  try {
    loaded = createRequire(import.meta.url)(BINARY) as Addon;
    return loaded;
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    const hint = /libdnnl/.test(detail)
      ? `oneDNN's runtime library is missing: ${APT_COMMAND}`
      : `${REBUILD} (it may have been built for another Node version)`;
    failure = new NativeUnavailableError(`the addon ${BINARY} does not load: ${detail}. ${hint}`, [], { cause });
    throw failure;
  }
}
