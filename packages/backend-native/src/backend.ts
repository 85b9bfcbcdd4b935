import os from 'node:os';
import { countsOf, type KernelCount, registerCountedKernels } from '@convkit/backend/adapter';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import {
  type BackendValues,
  type DataId,
  type DataType,
  findBackendFactory,
  getKernel,
  registerBackend,
  registerKernel,
} from '@tensorflow/tfjs-core';
import { loadAddon, NativeUnavailableError } from './addon.js';
import { nativeKernels } from './kernels/index.js';
import { optimizerKernels } from './kernels/optimizer.js';
import { reluGradKernel } from './kernels/relu-grad.js';
import { softmaxCrossEntropyKernels } from './kernels/softmax-cross-entropy.js';
import { BufferPool } from './memory.js';

/** The backend's name in tfjs' registry. */
export const NATIVE_BACKEND = 'native';

/**
 * The tfjs cpu backend with its hot kernels replaced by the addon's. Tensors
 * are the cpu backend's own typed arrays, so every kernel without a native
 * version runs the cpu kernel on the same memory, and data moves to and from
 * the cpu backend without a conversion.
 */
export class NativeBackend extends MathBackendCPU {
  /** Output arrays of the native kernels, reused after their tensors are disposed (see memory.ts). */
  readonly pool = new BufferPool();

  constructor() {
    super();
    // The cpu backend's first write in Node suggests installing tfjs-node; this backend is the native one.
    (this as unknown as { firstUse: boolean }).firstUse = false;
  }

  override write(values: BackendValues, shape: number[], dtype: DataType): DataId {
    this.pool.stored(values);
    return super.write(values, shape, dtype);
  }

  override move(dataId: DataId, values: BackendValues, shape: number[], dtype: DataType, refCount: number): void {
    this.pool.stored(values);
    super.move(dataId, values, shape, dtype, refCount);
  }

  override readSync(dataId: DataId): BackendValues {
    this.pool.escape(this.data.get(dataId)?.values);
    return super.readSync(dataId);
  }

  override disposeData(dataId: DataId, force = false): boolean {
    const values = this.data.get(dataId)?.values;
    const deleted = super.disposeData(dataId, force);
    if (deleted && values !== undefined && !this.data.has(dataId)) this.pool.released(values);
    return deleted;
  }
}

/** Options of {@link registerNativeBackend}. */
export interface NativeOptions {
  /** Threads for oneDNN and the native loops. Default: the machine's cores (`os.availableParallelism()`). */
  threads?: number;
  /** tfjs' backend priority, used when no backend is set explicitly. Default 2.5: above wasm (2), below webgpu (3). */
  priority?: number;
}

/** What {@link registerNativeBackend} set up. */
export interface NativeInfo {
  name: typeof NATIVE_BACKEND;
  threads: number;
  /** oneDNN's version, e.g. `2.6.3`. */
  onednn: string;
  /** The instruction set oneDNN's JIT targets here, e.g. `avx512`. */
  isa: string;
}

function defaultThreads(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

/** Per kernel, how many calls the addon ran and how many the cpu kernel ran instead (@convkit/backend/adapter). */
const counts = new Map<string, KernelCount>();

/**
 * How many calls of each kernel ran in the addon and how many ran a cpu
 * kernel instead (another dtype, NCHW, a fused prelu, a geometry oneDNN
 * cannot express, or a kernel the addon does not have), since the backend
 * was registered: where to look when a model is slower than expected. Lists
 * every native kernel, and every other kernel that has run.
 */
export function nativeKernelCalls(): Record<string, { native: number; cpu: number }> {
  const all = countsOf(counts, NATIVE_KERNELS);
  return Object.fromEntries(Object.entries(all).map(([name, c]) => [name, { native: c.accelerated, cpu: c.cpu }]));
}

let registered = false;

/**
 * Registers the `'native'` backend with tfjs (once; later calls only change
 * the thread count) and returns what runs it. It does not make it the active
 * backend: `await tf.setBackend('native')`, or use `initBackend('native')`
 * from `@convkit/backend`, which does both.
 *
 * @throws NativeUnavailableError when the addon is not built or does not load, saying what to install.
 */
export function registerNativeBackend(options: NativeOptions = {}): NativeInfo {
  const threads = options.threads ?? defaultThreads();
  if (!Number.isInteger(threads) || threads < 1) {
    throw new NativeUnavailableError(`threads must be a positive integer, received ${threads}`);
  }
  const addon = loadAddon();
  addon.setThreads(threads);
  if (!registered) {
    if (!findBackendFactory(NATIVE_BACKEND))
      registerBackend(NATIVE_BACKEND, () => new NativeBackend(), options.priority ?? 2.5);
    // Every cpu kernel (tfjs-backend-cpu's import above filled its registry, convkit's faster ones where it has
    // them) runs on the same memory wherever the addon does not take the call; the one counted wrapper does both.
    registerCountedKernels({ backendName: NATIVE_BACKEND, kernels: nativeKernels }, counts);
    // The fused optimizer updates, ReLU gradient and cross-entropy have no cpu kernel to fall back on: their
    // callers run per-variable ops or tfjs' formula instead.
    const fused = [
      ...optimizerKernels(NATIVE_BACKEND),
      reluGradKernel(NATIVE_BACKEND),
      ...softmaxCrossEntropyKernels(NATIVE_BACKEND),
    ];
    for (const config of fused) if (!getKernel(config.kernelName, NATIVE_BACKEND)) registerKernel(config);
    registered = true;
  }
  const { onednn, isa } = addon.describe();
  return { name: NATIVE_BACKEND, threads: addon.getThreads(), onednn, isa };
}

/** The kernels that run in the addon (every other kernel is the cpu backend's). */
export const NATIVE_KERNELS: readonly string[] = nativeKernels.map((k) => k.kernelName);
