// Helper threads for convkit's SIMD kernels on tfjs' threaded wasm build, so
// that a kernel call splits over the cores the backend was given (issue 21:
// the backprops on one thread left wasm with 2 threads as slow as with 1).
//
// tfjs' own thread pool (XNNPACK's pthreads inside its emscripten module) takes
// no work from outside, so the team is convkit's: `threads − 1` workers, each
// instantiating the same compiled module on the same shared memory, so a helper
// reads and writes the tensors in place like the calling thread. A call hands
// each helper its arguments through a small control block on the heap and
// wakes it with Atomics; the calling thread runs its own part meanwhile, then
// waits for the helpers (spinning: a browser's main thread may not block).
// After a call a helper spins ~0.2 ms before it sleeps, since waking a
// sleeping thread costs 50–150 µs in a VM, about a small kernel's whole time.
import type { WasmMemory, WasmModule } from '../wasm-api.js';

/** Runs kernel calls on the calling thread and the helpers, one call each. */
export interface SimdTeam {
  /** Threads a call can split over: the helpers and the calling thread. */
  readonly size: number;
  /**
   * Runs `fn(...calls[0])` here and `name(...calls[i])` on helper i (1 ≤ i < size) at the same
   * time, and returns when all are done. The calls must write disjoint memory.
   */
  run(name: string, fn: (...args: number[]) => void, calls: readonly (readonly number[])[]): void;
  /** Stops the helpers (they also stop on their own when the process exits). */
  stop(): void;
}

/** What a helper is sent once: the module, the memory, its control block and the kernels' names. */
interface HelperStart {
  module: WasmModule;
  memory: WasmMemory;
  control: number;
  names: string[];
}

/** The few Worker members used here, the same in Node's worker_threads and in browsers. */
interface HelperWorker {
  postMessage(message: unknown): void;
  terminate(): unknown;
}

/** Int32 slots at the start of a helper's control block; arguments follow as float64. */
const REQUEST = 0;
const DONE = 1;
const STOP = 2;
const FAILED = 3;
const ARGS_AT = 16; // bytes
const MAX_ARGS = 30;
export const CONTROL_BYTES = ARGS_AT + 8 * (MAX_ARGS + 2);

/** How long a helper or the caller spins before it sleeps (ms). */
const SPIN_MS = 0.2;
/** How long the caller waits for a helper before it calls the team broken (ms). */
const ANSWER_MS = 30_000;

/**
 * A helper's loop, as source (a worker runs it from a string). `start` gets
 * {@link HelperStart}, instantiates the module and serves requests until STOP.
 */
const HELPER_LOOP = `
const start = (data) => {
  const { module, memory, control, names } = data;
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  const fns = names.map((name) => instance.exports[name]);
  const slots = new Int32Array(memory.buffer, control, 4);
  const args = new Float64Array(memory.buffer, control + ${ARGS_AT}, ${MAX_ARGS + 2});
  let seen = 0;
  ready();
  for (;;) {
    let request = Atomics.load(slots, ${REQUEST});
    if (request === seen) {
      const until = performance.now() + ${SPIN_MS};
      while ((request = Atomics.load(slots, ${REQUEST})) === seen && performance.now() < until) {}
      while ((request = Atomics.load(slots, ${REQUEST})) === seen) {
        if (Atomics.load(slots, ${STOP}) !== 0) return;
        Atomics.wait(slots, ${REQUEST}, seen, 100);
      }
    }
    seen = request;
    try {
      const count = args[1];
      const list = new Array(count);
      for (let i = 0; i < count; i++) list[i] = args[2 + i];
      fns[args[0]](...list);
      Atomics.store(slots, ${FAILED}, 0);
    } catch (error) {
      Atomics.store(slots, ${FAILED}, 1);
    }
    Atomics.store(slots, ${DONE}, seen);
    Atomics.notify(slots, ${DONE});
  }
};
`;

/** The helper's source for Node's worker_threads (eval) or a browser's module-less worker. */
function helperSource(node: boolean): string {
  return node
    ? `${HELPER_LOOP}
const { parentPort } = require('node:worker_threads');
const ready = () => parentPort.postMessage('ready');
parentPort.once('message', start);`
    : `${HELPER_LOOP}
const ready = () => self.postMessage('ready');
self.onmessage = (event) => start(event.data);`;
}

const builtin = <T>(name: string): Promise<T> => import(/* @vite-ignore */ `node:${name}`) as Promise<T>;

/** A started worker running the helper loop, and a promise of its 'ready'. */
async function startWorker(): Promise<{ worker: HelperWorker; ready: Promise<void> }> {
  const isNode = typeof process !== 'undefined' && process.versions?.node !== undefined;
  if (isNode) {
    const { Worker } = await builtin<typeof import('node:worker_threads')>('worker_threads');
    const worker = new Worker(helperSource(true), { eval: true });
    // A helper never keeps the process alive: it sleeps in Atomics.wait until terminated at exit.
    worker.unref();
    const ready = new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', reject);
    });
    return { worker, ready };
  }
  const g = globalThis as unknown as {
    Worker: new (
      url: string,
    ) => HelperWorker & {
      onmessage: ((event: unknown) => void) | null;
      onerror: ((event: unknown) => void) | null;
    };
    Blob: new (parts: string[], options: { type: string }) => object;
    URL: { createObjectURL(blob: object): string; revokeObjectURL(url: string): void };
  };
  const url = g.URL.createObjectURL(new g.Blob([helperSource(false)], { type: 'text/javascript' }));
  const worker = new g.Worker(url);
  const ready = new Promise<void>((resolve, reject) => {
    worker.onmessage = () => resolve();
    worker.onerror = (event) => reject(new Error(`convkit wasm helper failed to start: ${String(event)}`));
  }).finally(() => g.URL.revokeObjectURL(url));
  return { worker, ready };
}

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms)),
  ]);
}

/**
 * Starts `threads − 1` helpers on `memory` (a shared one) running `module`'s
 * exports `names`; each control block is `controls[i]` (CONTROL_BYTES bytes,
 * 8-byte aligned, on the heap). Undefined when a helper could not start
 * (a browser without Worker, a page whose policy forbids blob: workers): the
 * kernels then run on the calling thread.
 */
export async function startTeam(
  module: WasmModule,
  memory: WasmMemory,
  names: readonly string[],
  controls: readonly number[],
): Promise<SimdTeam | undefined> {
  const workers: HelperWorker[] = [];
  try {
    for (const control of controls) {
      new Int32Array(memory.buffer, control, 4).fill(0);
      const { worker, ready } = await startWorker();
      workers.push(worker);
      worker.postMessage({ module, memory, control, names: [...names] } satisfies HelperStart);
      await within(ready, 10_000);
    }
  } catch {
    for (const worker of workers) worker.terminate();
    return undefined;
  }
  return team(memory, names, controls, workers);
}

function team(
  memory: WasmMemory,
  names: readonly string[],
  controls: readonly number[],
  workers: HelperWorker[],
): SimdTeam {
  const index = new Map(names.map((name, i) => [name, i]));
  const slots = controls.map((control) => new Int32Array(memory.buffer, control, 4));
  const args = controls.map((control) => new Float64Array(memory.buffer, control + ARGS_AT, MAX_ARGS + 2));
  let sequence = 0;
  let broken: Error | undefined;
  const canBlock = typeof process !== 'undefined' && process.versions?.node !== undefined;
  return {
    size: workers.length + 1,
    run(name, fn, calls) {
      if (broken) throw broken;
      const id = index.get(name);
      if (id === undefined) throw new Error(`convkit wasm kernels: the helpers have no kernel '${name}'`);
      const helpers = calls.length - 1;
      if (helpers > workers.length) {
        throw new RangeError(
          `convkit wasm kernels: ${calls.length} calls of ${name} for ${workers.length + 1} threads`,
        );
      }
      if (calls.some((call) => call.length > MAX_ARGS)) {
        throw new RangeError(`convkit wasm kernels: ${name} takes more than ${MAX_ARGS} arguments`);
      }
      sequence = (sequence + 1) | 0 || 1;
      for (let h = 0; h < helpers; h++) {
        const call = calls[h + 1] as readonly number[];
        const a = args[h] as Float64Array;
        a[0] = id;
        a[1] = call.length;
        a.set(call, 2);
        const s = slots[h] as Int32Array;
        Atomics.store(s, REQUEST, sequence);
        Atomics.notify(s, REQUEST);
      }
      fn(...(calls[0] as number[]));
      for (let h = 0; h < helpers; h++) {
        const s = slots[h] as Int32Array;
        const start = performance.now();
        while (Atomics.load(s, DONE) !== sequence) {
          const waited = performance.now() - start;
          if (waited > ANSWER_MS) {
            broken = new Error(`convkit wasm kernels: helper ${h + 1} did not finish ${name} in ${ANSWER_MS} ms`);
            throw broken;
          }
          // Node's main thread may block; a browser's main thread may not, so it spins.
          if (canBlock && waited > SPIN_MS) Atomics.wait(s, DONE, Atomics.load(s, DONE), 1);
        }
        if (Atomics.load(s, FAILED) !== 0) throw new Error(`convkit wasm kernels: ${name} failed on helper ${h + 1}`);
      }
    },
    stop() {
      for (const s of slots) {
        Atomics.store(s, STOP, 1);
        Atomics.notify(s, REQUEST);
      }
      for (const worker of workers) worker.terminate();
    },
  };
}
