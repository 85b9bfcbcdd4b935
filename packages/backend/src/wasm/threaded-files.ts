// The files of tfjs-backend-wasm's threaded SIMD build, and where a page
// serves them. Browser-safe: no Node imports here.

/** The files of the threaded build, by role. The names are tfjs-backend-wasm's own. */
export const THREADED_FILES = {
  /** The wasm binary (XNNPACK with a thread pool). */
  wasm: 'tfjs-backend-wasm-threaded-simd.wasm',
  /** The emscripten factory: a classic script that defines `WasmBackendModuleThreadedSimd`. */
  factory: 'tfjs-backend-wasm-threaded-simd.js',
  /** What each worker runs: it loads the factory script, then the wasm module it is sent. */
  worker: 'tfjs-backend-wasm-threaded-simd.worker.js',
} as const;

/** The single-threaded binaries tfjs-backend-wasm loads itself (plain and SIMD). */
export const SINGLE_THREADED_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm'] as const;

/**
 * The URL of `file` under the user's `wasmPaths`: a prefix (`'/wasm/'`,
 * `'https://cdn…/dist/'`) or a map of file names to URLs, as tfjs'
 * `setWasmPaths` takes. `undefined` when a map lacks the file.
 */
export function assetUrl(wasmPaths: string | Record<string, string>, file: string): string | undefined {
  if (typeof wasmPaths === 'string') return wasmPaths + file;
  return wasmPaths[file];
}
