// The part of the WebAssembly JS API that convkit's wasm loaders use, typed
// here rather than through the DOM lib: packages that type-check these
// sources for Node alone (`lib: ES2022`, where @types/node declares only an
// empty `WebAssembly` namespace) compile them too.

/** A `WebAssembly.Memory`: shared (threaded tfjs build) or plain. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}

/** A compiled `WebAssembly.Module`. */
export type WasmModule = object;

export interface WasmApi {
  Memory: abstract new (...args: never[]) => WasmMemory;
  compile(bytes: Uint8Array<ArrayBuffer>): Promise<WasmModule>;
  instantiate(bytes: ArrayBuffer | Uint8Array, imports: object): Promise<{ instance: unknown; module: unknown }>;
  instantiate(module: WasmModule, imports: object): Promise<{ exports: Record<string, unknown> }>;
}

/** The global `WebAssembly` object. */
export function wasmApi(): WasmApi {
  return (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
}
