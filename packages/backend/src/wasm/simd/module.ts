// convkit's WebAssembly SIMD kernels (wasm-kernels/*.c), instantiated on the
// tfjs wasm backend's own memory. XNNPACK builds an operator for every new
// filter, so a training step's small convolution gradients (a new "filter"
// every step) cost it 1–3 ms each; these kernels are plain loops over
// 4-lane vectors that read and write the tensors in place on the heap.
//
// The module imports the backend's memory: the threaded build's shared one
// (Module.wasmMemory) or the single-threaded build's exported one. It owns no
// memory itself (the build script checks: no data, no stack), and kernels get
// their working space from {@link SimdKernels.scratch}, a buffer malloc'ed
// from tfjs' heap. On the threaded build with more than one thread, helper
// workers run the same module on the same memory (team.ts), and `split` runs
// one kernel's parts on all of them at once.
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { type WasmMemory, type WasmModule, wasmApi } from '../wasm-api.js';
import { PLAIN_MEMORY_MODULE, SHARED_MEMORY_MODULE } from './module-bytes.js';
import { CONTROL_BYTES, type SimdTeam, startTeam } from './team.js';

/** An exported C function; every pointer argument is a byte offset into the wasm heap. */
export type SimdFunction = (...args: number[]) => void;

/** The module on one backend's heap. */
export interface SimdKernels {
  /** The exported C function `name` (a clear error if the module has none). */
  fn(name: string): SimdFunction;
  /**
   * Byte offset of a 64-byte-aligned scratch area of at least `bytes` bytes on
   * the wasm heap, shared by every kernel: valid until the next call. It may
   * grow the heap, so take heap views after calling it.
   */
  scratch(bytes: number): number;
  /** Threads a kernel call can split over: tfjs' thread count on the threaded build, else 1. */
  readonly threads: number;
  /**
   * Runs kernel `name` once per argument list, all at once on `threads` threads (at most that many
   * lists), or one after another where there are no helpers. The calls must write disjoint memory.
   */
  split(name: string, calls: readonly (readonly number[])[]): void;
}

/** The parts of the emscripten module used here (both tfjs builds). */
interface EmscriptenParts {
  wasmMemory?: WasmMemory;
  asm?: { memory?: WasmMemory };
  _malloc(bytes: number): number;
  _free(offset: number): void;
}

const prepared = new WeakMap<BackendWasm, SimdKernels>();
let liveTeam: SimdTeam | undefined;

/**
 * The kernels on this backend's heap, or `undefined` where they are not
 * prepared (the backend was not started by convkit's `initBackend`, or
 * `CONVKIT_WASM_SIMD=0` turned them off): callers keep their other route.
 *
 * @example
 * const simd = simdKernels(backend);
 * if (simd) simd.fn('column_sum')(heapOffset(backend, x), heapOffset(backend, out), rows, columns, simd.scratch(8448));
 */
export function simdKernels(backend: BackendWasm): SimdKernels | undefined {
  return switchedOff() ? undefined : prepared.get(backend);
}

/**
 * Compiles and instantiates the kernels on `backend`'s memory; true when they
 * run there. Asynchronous because browsers forbid compiling a module of more
 * than 4 KB synchronously on the main thread.
 */
export async function prepareSimdKernels(backend: BackendWasm): Promise<boolean> {
  if (prepared.has(backend)) return true;
  const module = backend.wasm as unknown as EmscriptenParts;
  const memory = module.wasmMemory ?? module.asm?.memory;
  const api = wasmApi();
  if (!(memory instanceof api.Memory)) return false;
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  const compiled = await api.compile(decodeBase64(shared ? SHARED_MEMORY_MODULE : PLAIN_MEMORY_MODULE));
  const instance = await api.instantiate(compiled, { env: { memory } });
  const threads = shared ? tfjsThreads(backend) : 1;
  // tfjs has one 'wasm' backend at a time: a new one (initBackend again) retires the last one's helpers.
  liveTeam?.stop();
  const withHelpers = threads > 1 && !flagOff('__convkitWasmHelpers', 'CONVKIT_WASM_HELPERS');
  const team = withHelpers ? await helpers(compiled, memory, instance.exports, module, threads - 1) : undefined;
  liveTeam = team;
  prepared.set(backend, bind(instance.exports, module, team));
  return true;
}

/** tfjs' thread count on this backend (both builds bind get_threads_count; 1 if one does not). */
export function tfjsThreads(backend: BackendWasm): number {
  const tfjs = backend.wasm.tfjs as { getThreadsCount?: () => number };
  return tfjs.getThreadsCount?.() ?? 1;
}

/** `count` helper workers with a control block each on the heap; undefined if they could not start. */
async function helpers(
  compiled: WasmModule,
  memory: WasmMemory,
  exports: Record<string, unknown>,
  module: EmscriptenParts,
  count: number,
): Promise<SimdTeam | undefined> {
  const names = Object.keys(exports).filter((name) => typeof exports[name] === 'function');
  const controls = Array.from({ length: count }, () => module._malloc(CONTROL_BYTES));
  const team = await startTeam(compiled, memory, names, controls);
  if (!team) for (const control of controls) module._free(control);
  return team;
}

/** Byte offset of a tensor's data on the wasm heap. */
export function heapOffset(backend: BackendWasm, info: TensorInfo): number {
  const data = backend.dataIdMap.get(info.dataId);
  if (!data) throw new Error('convkit wasm kernels: the tensor has no data on the wasm heap (disposed?)');
  return data.memoryOffset;
}

function bind(exports: Record<string, unknown>, module: EmscriptenParts, team: SimdTeam | undefined): SimdKernels {
  let area = 0;
  let size = 0;
  const fn = (name: string) => {
    const found = exports[name];
    if (typeof found !== 'function') throw new Error(`convkit wasm kernels: the SIMD module exports no '${name}'`);
    return found as SimdFunction;
  };
  return {
    fn,
    threads: team?.size ?? 1,
    split(name, calls) {
      const kernel = fn(name);
      if (team && calls.length > 1) team.run(name, kernel, calls);
      else for (const call of calls) kernel(...call);
    },
    scratch(bytes) {
      if (bytes > size) {
        if (area !== 0) module._free(area);
        size = Math.max(bytes, 2 * size);
        area = module._malloc(size + 64);
        if (area === 0) throw new Error(`convkit wasm kernels: out of wasm memory for ${size} bytes of scratch`);
      }
      return area + ((64 - (area % 64)) % 64); // not `& ~63`: offsets above 2 GiB are not int32
    },
  };
}

/** `CONVKIT_WASM_SIMD=0` in Node, or `globalThis.__convkitWasmSimd = false` in a browser: the other routes only. */
function switchedOff(): boolean {
  return flagOff('__convkitWasmSimd', 'CONVKIT_WASM_SIMD');
}

/** Whether `globalThis[global]` is set and falsy, or else the environment variable `variable` is '0'. */
function flagOff(global: string, variable: string): boolean {
  const flag = (globalThis as Record<string, unknown>)[global];
  if (flag !== undefined) return !flag;
  return typeof process !== 'undefined' && process.env?.[variable] === '0';
}

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
