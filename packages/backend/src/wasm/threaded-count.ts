// How many threads the wasm backend gets: what was asked, else the machine's
// cores, within what the runtime and tfjs' threaded build allow.
import { BackendError } from '../errors.js';

/**
 * tfjs' threaded build starts a pool of 8 workers up front. A pthread beyond
 * them needs a worker that loads only once the main thread yields, while
 * XNNPACK's pool creation blocks it waiting for its threads, so more than 8
 * would hang.
 */
export const MAX_WASM_THREADS = 8;

/** The thread count, and why it is 1 when more were asked for and none are possible. */
export interface ThreadPlan {
  threads: number;
  reason?: string;
}

/** Why this runtime cannot run wasm threads, or `undefined` when it can. */
export function noThreadsReason(
  runtime: { node: boolean; crossOriginIsolated?: boolean; sharedMemory: boolean },
  wasmPaths: unknown,
): string | undefined {
  // A browser withholds SharedArrayBuffer from a page that is not isolated: say the cause, not the symptom.
  if (!runtime.node && runtime.crossOriginIsolated !== true) {
    return 'the page is not cross-origin isolated (its server sends no COOP/COEP headers)';
  }
  if (!runtime.sharedMemory) return 'this runtime has no SharedArrayBuffer';
  if (runtime.node) return undefined;
  if (wasmPaths === undefined) return 'no wasmPaths to load the threaded build and its worker script from';
  return undefined;
}

/** The cores this machine reports: Node's `os.availableParallelism()`, a browser's `navigator.hardwareConcurrency`. */
async function machineCores(node: boolean): Promise<number> {
  if (node) {
    const os = await import(/* @vite-ignore */ 'node:os');
    return os.availableParallelism?.() ?? os.cpus().length;
  }
  return (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
}

/** What this runtime offers for wasm threads. */
function currentRuntime(): { node: boolean; crossOriginIsolated?: boolean; sharedMemory: boolean } {
  const node = typeof process !== 'undefined' && process.versions?.node !== undefined;
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
  return {
    node,
    ...(isolated === undefined ? {} : { crossOriginIsolated: isolated }),
    sharedMemory: typeof SharedArrayBuffer === 'function',
  };
}

/**
 * The wasm thread count for `requested` (undefined: the machine's cores),
 * at most {@link MAX_WASM_THREADS}; 1, with the reason, where threads are impossible.
 */
export async function planWasmThreads(requested: number | undefined, wasmPaths: unknown): Promise<ThreadPlan> {
  if (requested !== undefined && (!Number.isInteger(requested) || requested < 1)) {
    throw new BackendError('wasm', `threads must be a positive integer, received ${requested}`);
  }
  if (requested === 1) return { threads: 1 };
  const runtime = currentRuntime();
  const why = noThreadsReason(runtime, wasmPaths);
  if (why !== undefined) {
    return requested === undefined ? { threads: 1 } : { threads: 1, reason: `wasm runs on 1 thread: ${why}` };
  }
  const threads = Math.min(requested ?? (await machineCores(runtime.node)), MAX_WASM_THREADS);
  return { threads: Math.max(1, threads) };
}
