/**
 * Starting a compute backend in the page. Library packages never pick a
 * backend: the site does, through @convkit/backend, loaded only when a
 * component first needs tensors (never during the static build).
 *
 * Which backend: the playground's picker, or `?backend=webgpu` (also
 * `auto`, `wasm`, `cpu`) in the address, which every page honours, so a
 * link or a test can force one for the course's demos too.
 *
 * wasm runs on as many threads as the browser reports cores
 * (`navigator.hardwareConcurrency`), or `?threads=N` in the address
 * (`?threads=1`: one thread, to compare). Threads need SharedArrayBuffer,
 * which a browser gives only a cross-origin isolated page (COOP + COEP
 * headers, scripts/serve.mjs); elsewhere wasm runs on one thread and the
 * backend line says why.
 */
import type { BackendInfo, InitOptions } from '@convkit/backend';
import { shallowRef } from 'vue';

/** The backends a page can run: `native` and `cuda` exist only in Node. */
export const PAGE_BACKENDS = ['auto', 'webgpu', 'wasm', 'cpu'] as const;

export type PageBackend = (typeof PAGE_BACKENDS)[number];

/** What the page runs on now: the choice, then what started, or why it could not. */
export interface RunningBackend {
  choice: PageBackend;
  info?: BackendInfo;
  error?: string;
}

/** Shared by every component of the page, so a picker shows what the others started. */
export const running = shallowRef<RunningBackend | undefined>();

let current: { choice: PageBackend; info: Promise<BackendInfo> } | undefined;

/** Where the wasm backend's `.wasm` files are served (copied into `public/wasm/` at build). */
export function wasmPrefix(base: string): string {
  return `${base.endsWith('/') ? base : `${base}/`}wasm/`;
}

/** `?backend=…` of a query string: the choice, `undefined` without one, or an error naming the bad value. */
export function backendParam(search: string): { choice?: PageBackend; error?: string } {
  const value = new URLSearchParams(search).get('backend');
  if (value === null || value === '') return {};
  if ((PAGE_BACKENDS as readonly string[]).includes(value)) return { choice: value as PageBackend };
  return { error: `?backend=${value} is not a backend this page can run: use ${PAGE_BACKENDS.join(', ')}` };
}

/** The backend the address asks for (`?backend=`), or `undefined` (also outside a browser). */
export function requestedBackend(): PageBackend | undefined {
  if (typeof window === 'undefined') return undefined;
  const { choice, error } = backendParam(window.location.search);
  if (error) throw new Error(error);
  return choice;
}

/** Writes the choice into the address (`?backend=`), so a reload or a shared link keeps it. */
export function rememberBackend(choice: PageBackend): void {
  const url = new URL(window.location.href);
  if (choice === 'auto') url.searchParams.delete('backend');
  else url.searchParams.set('backend', choice);
  window.history.replaceState(window.history.state, '', url.href);
}

/** `?threads=` of a query string: a positive integer, `undefined` without one, or an error naming the bad value. */
export function threadsParam(search: string): { threads?: number; error?: string } {
  const value = new URLSearchParams(search).get('threads');
  if (value === null || value === '') return {};
  const threads = Number(value);
  if (/^\d+$/.test(value) && threads >= 1) return { threads };
  return { error: `?threads=${value} is not a thread count: use a whole number ≥ 1, e.g. ?threads=1` };
}

/** Whether the page may use wasm threads: cross-origin isolated (false outside a browser). */
export function pageIsolated(): boolean {
  return typeof window !== 'undefined' && window.crossOriginIsolated === true;
}

/**
 * The threads to ask wasm for: `?threads=`, else the cores the browser
 * reports; 1 on a page that is not cross-origin isolated, where the
 * browser allows none (describeBackend then says why).
 */
export function pageThreads(search: string, isolated: boolean, cores: number | undefined): number | undefined {
  const { threads, error } = threadsParam(search);
  if (error) throw new Error(error);
  if (!isolated) return 1;
  return threads ?? cores;
}

/**
 * A started backend in a few words: `webgpu (google swiftshader, software)`,
 * `wasm (8-core CPU, 4 threads)`; on a page that is not cross-origin
 * isolated, why wasm has one thread.
 */
export function describeBackend(info: BackendInfo, isolated = true): string {
  const { device } = info;
  if (device.kind === 'gpu') return `${info.name} (${device.description}${device.software ? ', software' : ''})`;
  const threads = `${info.threads} thread${info.threads === 1 ? '' : 's'}`;
  const why =
    info.name === 'wasm' && !isolated
      ? ': this page is not cross-origin isolated (its host sends no COOP/COEP headers), so the browser allows wasm no threads'
      : '';
  return `${info.name} (${device.description}, ${threads}${why})`;
}

/** What `initBackend` gets for `choice` in this page: where the `.wasm` files are and how many threads. */
function pageOptions(choice: PageBackend, base: string): InitOptions {
  if (choice !== 'wasm' && choice !== 'auto') return {};
  const search = typeof window === 'undefined' ? '' : window.location.search;
  const cores = typeof navigator === 'undefined' ? undefined : navigator.hardwareConcurrency;
  const threads = pageThreads(search, pageIsolated(), cores);
  return { wasmPaths: wasmPrefix(base), ...(threads === undefined ? {} : { threads }) };
}

/** Why `choice` did not start, with what to pick instead. */
export function unavailable(choice: PageBackend, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const instead = choice === 'webgpu' ? 'pick wasm (or auto, which falls back to it)' : 'pick another backend';
  return `The ${choice} backend is not available in this browser — ${message}. To go on, ${instead}.`;
}

/**
 * Starts `choice` once and reuses it; asking for another backend switches
 * (tensors move lazily). `'auto'` takes a hardware WebGPU adapter, else
 * wasm, else cpu. A backend that does not start rejects with
 * {@link unavailable}'s message, which `running` holds too.
 */
export function startBackend(choice: PageBackend, base = '/'): Promise<BackendInfo> {
  if (current && current.choice === choice) return current.info;
  let options: InitOptions;
  try {
    options = pageOptions(choice, base);
  } catch (error) {
    // A bad ?threads= is the address's fault, not the backend's: its own message.
    running.value = { choice, error: (error as Error).message };
    return Promise.reject(error);
  }
  running.value = { choice };
  const info = import('@convkit/backend')
    .then(({ initBackend }) => initBackend(choice, options))
    .catch((error: unknown) => {
      throw new Error(unavailable(choice, error), { cause: error });
    });
  current = { choice, info };
  info.then(
    (started) => {
      if (current?.info === info) running.value = { choice, info: started };
    },
    (error: Error) => {
      if (current?.info !== info) return;
      current = undefined;
      running.value = { choice, error: error.message };
    },
  );
  return info;
}

/**
 * Whatever backend is running, else the one the address asks for, else
 * cpu (the course's small demos need no more).
 */
export function anyBackend(base = '/'): Promise<BackendInfo> {
  if (current) return current.info;
  try {
    return startBackend(requestedBackend() ?? 'cpu', base);
  } catch (error) {
    return Promise.reject(error);
  }
}
