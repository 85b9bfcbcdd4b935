// Node's side of the threaded wasm build: where tfjs-backend-wasm's files
// are, the worker script as a real file (emscripten starts each pthread with
// `new Worker(path)`, and Node's Worker takes neither a blob: URL nor CommonJS
// source as a data: URL), and copying the files a site serves.
//
// Node's built-ins are imported with computed specifiers so that a browser
// bundle that contains this module (reached only behind an `IS_NODE` check)
// never tries to resolve them.
import { SINGLE_THREADED_FILES, THREADED_FILES } from './threaded-files.js';

type Fs = typeof import('node:fs/promises');
type Path = typeof import('node:path');

const builtin = <T>(name: string): Promise<T> => import(/* @vite-ignore */ `node:${name}`) as Promise<T>;

/** The emscripten factory of the threaded build, as its CommonJS file exports it. */
export type ThreadedFactory = (config: Record<string, unknown>) => Promise<unknown>;

/** Where the threaded build's files are in Node: real paths, and the factory itself. */
export interface NodeThreadedFiles {
  factory: ThreadedFactory;
  factoryPath: string;
  wasmPath: string;
  workerPath: string;
}

/** `require`, resolving from this package, so the tfjs-backend-wasm found is the one this package depends on. */
async function localRequire(): Promise<NodeJS.Require> {
  const { createRequire } = await builtin<typeof import('node:module')>('module');
  return createRequire(import.meta.url);
}

/** The installed tfjs-backend-wasm package folder. */
async function tfjsWasmDir(require: NodeJS.Require): Promise<string> {
  const { dirname } = await builtin<Path>('path');
  return dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
}

/**
 * The worker script's source. tfjs ships it as a CommonJS module exporting a
 * template-literal string, in which the source's `"\n"` escapes became real
 * newlines; escaping them back is what tfjs' own loader does before it makes
 * a Blob of it.
 */
export async function threadedWorkerSource(): Promise<string> {
  const require = await localRequire();
  const path = `@tensorflow/tfjs-backend-wasm/wasm-out/${THREADED_FILES.worker}`;
  const contents = (require(path) as { wasmWorkerContents?: unknown }).wasmWorkerContents;
  if (typeof contents !== 'string') {
    throw new Error(`${path} no longer exports the worker source as wasmWorkerContents (received ${typeof contents})`);
  }
  return contents.replace(/\n/g, '\\n');
}

/** Writes `text` to `path` unless it already holds it; through a rename, so parallel processes never see half a file. */
async function writeOnce(fs: Fs, path: string, text: string): Promise<void> {
  const existing = await fs.readFile(path, 'utf8').catch(() => undefined);
  if (existing === text) return;
  const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
  await fs.writeFile(temp, text);
  await fs.rename(temp, path);
}

/**
 * The threaded build's files for Node. The worker script is written once to
 * a per-version cache folder under the OS temp dir, as `.cjs` so that Node
 * runs it as CommonJS (it calls `require`) wherever that folder is.
 */
export async function nodeThreadedFiles(): Promise<NodeThreadedFiles> {
  const require = await localRequire();
  const [fs, path, os] = await Promise.all([
    builtin<Fs>('fs/promises'),
    builtin<Path>('path'),
    builtin<typeof import('node:os')>('os'),
  ]);
  const dir = await tfjsWasmDir(require);
  const version = (require(path.join(dir, 'package.json')) as { version: string }).version;
  const source = await threadedWorkerSource();
  const cache = path.join(os.tmpdir(), `convkit-wasm-${version}`);
  await fs.mkdir(cache, { recursive: true });
  const workerPath = path.join(cache, THREADED_FILES.worker.replace(/\.js$/, '.cjs'));
  await writeOnce(fs, workerPath, source);
  const factoryPath = path.join(dir, 'wasm-out', THREADED_FILES.factory);
  return {
    factory: require(factoryPath) as ThreadedFactory,
    factoryPath,
    wasmPath: path.join(dir, 'wasm-out', THREADED_FILES.wasm),
    workerPath,
  };
}

/**
 * Writes every file the wasm backend loads in a browser into `dir`: the
 * plain, SIMD and threaded SIMD binaries, the threaded build's emscripten
 * factory and its worker script, under the names `initBackend('wasm',
 * { wasmPaths })` looks for. Returns the file names written.
 *
 * @example
 * ```ts
 * import { writeWasmAssets } from '@convkit/backend/node';
 * await writeWasmAssets('site/public/wasm'); // then initBackend('wasm', { wasmPaths: '/wasm/' }) in the page
 * ```
 */
export async function writeWasmAssets(dir: string): Promise<string[]> {
  const require = await localRequire();
  const [fs, path] = await Promise.all([builtin<Fs>('fs/promises'), builtin<Path>('path')]);
  const tfjs = await tfjsWasmDir(require);
  await fs.mkdir(dir, { recursive: true });
  const copied = [...SINGLE_THREADED_FILES, THREADED_FILES.wasm, THREADED_FILES.factory];
  await Promise.all(copied.map((file) => fs.copyFile(path.join(tfjs, 'wasm-out', file), path.join(dir, file))));
  await writeOnce(fs, path.join(dir, THREADED_FILES.worker), await threadedWorkerSource());
  return [...copied, THREADED_FILES.worker];
}
