// convkit's loader of tfjs-backend-wasm's threaded SIMD build (XNNPACK with
// a pthread pool), in Node and in the browser. tfjs' own `init()` cannot do
// it: its flag turns threads off in Node, it hands the workers blob: URLs
// (Node's Worker takes none) and rebuilds the factory from
// `factory.toString()` (a minifier breaks that). Here the factory gets real
// paths or URLs, the module gets the same cwraps tfjs' `init()` adds, and
// tfjs' exported `BackendWasm` runs on it, registered as `wasm`, so the
// wasm kernels (tfjs' and convkit's) run unchanged.
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { assetUrl, THREADED_FILES } from './threaded-files.js';
import { wasmApi } from './wasm-api.js';

type WasmPackage = typeof import('@tensorflow/tfjs-backend-wasm');
type Factory = (config: Record<string, unknown>) => Promise<unknown>;

/** The part of the emscripten module this loader touches. */
export interface ThreadedModule {
  cwrap(name: string, returnType: string | null, argTypes: string[]): (...args: number[]) => number | undefined;
  PThread: { unusedWorkers: NodeWorkerLike[]; runningWorkers: NodeWorkerLike[] };
  tfjs?: Record<string, unknown>;
}

interface NodeWorkerLike {
  ref?: () => unknown;
  unref?: () => unknown;
}

/**
 * The cwraps `BackendWasm` calls on `module.tfjs`: the list tfjs-backend-wasm
 * 4.22's `init()` adds (dist/backend_wasm.js). `threaded.test.ts` fails if
 * that list changes.
 */
export const TFJS_CWRAPS = {
  init: ['init', null, []],
  initWithThreadsCount: ['init_with_threads_count', null, ['number']],
  getThreadsCount: ['get_threads_count', 'number', []],
  registerTensor: ['register_tensor', null, ['number', 'number', 'number']],
  disposeData: ['dispose_data', null, ['number']],
  dispose: ['dispose', null, []],
} as const satisfies Record<string, readonly [string, string | null, readonly string[]]>;

/** Adds the `tfjs` namespace of cwraps that `BackendWasm` expects. */
export function addTfjsCwraps(module: ThreadedModule): void {
  module.tfjs = Object.fromEntries(
    Object.entries(TFJS_CWRAPS).map(([key, [name, returns, args]]) => [key, module.cwrap(name, returns, [...args])]),
  );
}

const inNode = (): boolean => typeof process !== 'undefined' && process.versions?.node !== undefined;

/** The factory, its config with real paths or URLs, and how to read the wasm binary. */
interface Loadable {
  factory: Factory;
  config: { locateFile(path: string): string; mainScriptUrlOrBlob: string };
  readWasm(): Promise<ArrayBuffer | Uint8Array>;
}

/** `locateFile` for emscripten: the worker script and the binary at the given places. */
function locator(worker: string, wasm: string): (path: string) => string {
  return (path) => (path.endsWith('.worker.js') ? worker : path.endsWith('.wasm') ? wasm : path);
}

/** The factory with real paths (Node). */
async function nodeLoadable(): Promise<Loadable> {
  const { nodeThreadedFiles } = await import('./threaded-node.js');
  const files = await nodeThreadedFiles();
  const fs = (await import(/* @vite-ignore */ `node:${'fs/promises'}`)) as typeof import('node:fs/promises');
  return {
    factory: files.factory,
    config: { locateFile: locator(files.workerPath, files.wasmPath), mainScriptUrlOrBlob: files.factoryPath },
    readWasm: async () => new Uint8Array(await fs.readFile(files.wasmPath)),
  };
}

/** The URL of one of the threaded build's files under `wasmPaths`, absolute so a worker resolves it the same. */
function servedUrl(wasmPaths: string | Record<string, string>, file: string): string {
  const url = assetUrl(wasmPaths, file);
  if (url === undefined) throw new Error(`wasmPaths has no URL for ${file}`);
  const page = (globalThis as { location?: { href: string } }).location?.href;
  return new URL(url, page).href;
}

/**
 * The factory with served URLs (browser). The page and its workers run the
 * same served factory script, so nothing depends on how a bundler or
 * minifier rewrote the page's own copy.
 */
async function browserLoadable(wasmPaths: string | Record<string, string>): Promise<Loadable> {
  const [factoryUrl, wasmUrl, workerUrl] = [THREADED_FILES.factory, THREADED_FILES.wasm, THREADED_FILES.worker].map(
    (file) => servedUrl(wasmPaths, file),
  ) as [string, string, string];
  const fetchOk = async (url: string): Promise<Response> => {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`fetching ${url} answered ${response.status} ${response.statusText}`);
    return response;
  };
  // A classic script that declares a var: evaluated as a function body, that var is its result.
  const source = await (await fetchOk(factoryUrl)).text();
  const factory = new Function(`${source}\nreturn WasmBackendModuleThreadedSimd;`)() as Factory;
  return {
    factory,
    config: { locateFile: locator(workerUrl, wasmUrl), mainScriptUrlOrBlob: factoryUrl },
    readWasm: async () => (await fetchOk(wasmUrl)).arrayBuffer(),
  };
}

/**
 * emscripten's `instantiateWasm` hook, which also sets the thread count
 * XNNPACK may use. The build caps any count at `emscripten_num_logical_cores() / 2`
 * (it assumes two hyper-threads per core), read once when the module starts,
 * so on 2 cores it would allow 1 thread; reporting twice the count asked for
 * lifts that cap to exactly it.
 */
function instantiateWith(
  loadable: Loadable,
  threads: number,
  failed: (error: unknown) => void,
): (info: { env: Record<string, unknown> }, receive: (instance: unknown, module: unknown) => void) => object {
  return (info, receive) => {
    info.env.emscripten_num_logical_cores = () => 2 * threads;
    loadable
      .readWasm()
      .then((bytes) => wasmApi().instantiate(bytes, info))
      .then(({ instance, module }) => receive(instance, module))
      .catch(failed);
    return {};
  };
}

/**
 * In Node, emscripten refs a worker while it runs a pthread, and XNNPACK's
 * pool threads run for the backend's life, so the process would never exit.
 * The workers stay unref'd: the main thread waits for them inside each
 * kernel anyway, and Node ends them when it exits.
 */
function unrefWorkers(module: ThreadedModule): void {
  for (const worker of [...module.PThread.unusedWorkers, ...module.PThread.runningWorkers]) {
    worker.unref?.();
    worker.ref = () => worker;
  }
}

/** Instantiates the threaded build for `threads` threads, ready for `new BackendWasm(module)`. */
export async function loadThreadedModule(
  threads: number,
  wasmPaths?: string | Record<string, string>,
): Promise<ThreadedModule> {
  const node = inNode();
  if (!node && wasmPaths === undefined) {
    throw new Error('threaded wasm in a browser needs wasmPaths (where its files are served)');
  }
  const loadable = node ? await nodeLoadable() : await browserLoadable(wasmPaths as string | Record<string, string>);
  const module = await new Promise<ThreadedModule>((resolve, reject) => {
    const config = {
      ...loadable.config,
      instantiateWasm: instantiateWith(loadable, threads, reject),
      onAbort: (what: unknown) => reject(new Error(`the threaded wasm module aborted: ${String(what)}`)),
    };
    loadable.factory(config).then((loaded) => resolve(loaded as ThreadedModule), reject);
  });
  addTfjsCwraps(module);
  if (node) unrefWorkers(module);
  return module;
}

/** Marks the `wasm` factory convkit registered, with its thread count (the mark lives with tfjs' registry). */
type MarkedFactory = (() => Promise<BackendWasm>) & { convkitThreads?: number };

/** tfjs' own `wasm` factory (single-threaded in Node), kept process-wide so it can be put back. */
const STOCK = Symbol.for('convkit.backend.stockWasmFactory');
type StockHolder = { [STOCK]?: () => tf.KernelBackend | Promise<tf.KernelBackend> };

/**
 * Registers `wasm` as the threaded build on `threads` threads, or, with
 * `threads` 1, puts tfjs' own registration back. Does nothing when `wasm`
 * is already registered that way, so a started backend is kept.
 */
export function registerWasm(wasm: WasmPackage, threads: number, wasmPaths?: string | Record<string, string>): void {
  const current = tf.findBackendFactory('wasm') as MarkedFactory | null;
  const holder = globalThis as StockHolder;
  if (current && current.convkitThreads === undefined) holder[STOCK] = current;
  if (threads === 1) {
    // A thread count left over from a threaded start would reach the stock build's constructor.
    wasm.setThreadsCount(1);
    // tfjs' own init() picks its threaded build wherever SharedArrayBuffer
    // exists (a cross-origin isolated page), whatever the count: one thread
    // asked for means the single-threaded build. Set before the first start
    // too, when tfjs' own registration is still the current one.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    if (current && current.convkitThreads === undefined) return;
    if (current) tf.removeBackend('wasm');
    const stock = holder[STOCK];
    if (!stock) throw new Error('tfjs-backend-wasm registered no wasm backend to put back');
    tf.registerBackend('wasm', stock, 2);
    return;
  }
  if (current && current.convkitThreads === threads) return;
  if (current) tf.removeBackend('wasm');
  const factory: MarkedFactory = async () => {
    const module = await loadThreadedModule(threads, wasmPaths);
    // BackendWasm's constructor starts XNNPACK's pool with this count.
    wasm.setThreadsCount(threads);
    return new wasm.BackendWasm(module as unknown as ConstructorParameters<WasmPackage['BackendWasm']>[0]);
  };
  factory.convkitThreads = threads;
  tf.registerBackend('wasm', factory, 2);
}
