import type { KernelSet } from './kernels.js';
import type { BackendName } from './names.js';

/** Options of `initBackend`. */
export interface InitOptions {
  /** `'convkit'` (default) adds and replaces kernels so the backend can train fast; `'stock'` runs tfjs' own. */
  kernels?: KernelSet;
  /**
   * wasm: XNNPACK's threads (tfjs' threaded SIMD build; worker threads in Node, web workers
   * in a browser, which allows them only on a cross-origin isolated page and with `wasmPaths`).
   * Default: the machine's cores, at most 8; 1 runs the single-threaded build.
   * native: oneDNN's threads. Default: the machine's cores.
   */
  threads?: number;
  /** wasm: where the `.wasm` files are served from (a prefix or a map of file names to URLs). */
  wasmPaths?: string | Record<string, string>;
  /** webgpu: which adapter to ask for. Default `'high-performance'`. */
  powerPreference?: 'high-performance' | 'low-power';
  /**
   * cuda: run the CUDA kernels in convkit's emulator on the CPU instead of a
   * GPU (slow; for tests of the backend on machines without one). Default false.
   */
  emulate?: boolean;
}

/** What `initBackend` started. */
export interface BackendInfo {
  name: BackendName;
  device: {
    kind: 'cpu' | 'gpu';
    /** The processor or the adapter, in words. */
    description: string;
    vendor?: string;
    architecture?: string;
    /** A software WebGPU adapter (SwiftShader, lavapipe): runs on the CPU. */
    software?: boolean;
  };
  /** CPU threads the backend computes with. */
  threads: number;
  kernels: KernelSet;
  /** Why `'auto'` chose this backend, or why wasm runs on fewer threads than asked for. */
  reason?: string;
}
