import os from 'node:os';

/**
 * Output arrays for the native kernels, reused once tfjs has disposed every
 * tensor that held them.
 *
 * A training step allocates tens of megabytes of Float32Arrays. V8 counts
 * their backing stores as external memory and, past a threshold, runs a full
 * mark-compact GC: every few LeNet steps, 3–7 ms each, more than a step's
 * arithmetic. Reusing the arrays of disposed tensors keeps the step
 * allocation-free, as PyTorch's caching allocator does.
 *
 * An array is reused only when it is certain nobody can see it any more:
 * - it was allocated here (never an array a user passed to `tf.tensor`);
 * - no live tensor stores it or a view of its buffer (cpu kernels such as
 *   Slice return subarrays), counted per buffer as the backend writes and
 *   disposes data;
 * - it never left the backend through `dataSync()` / `data()` (the cpu
 *   backend returns its own array, which a caller may keep after disposing).
 */
export class BufferPool {
  private readonly free = new Map<number, Float32Array[]>();
  /** Buffers allocated here, to the array that was handed out (it carries the version). */
  private readonly owned = new WeakMap<ArrayBufferLike, Float32Array>();
  private readonly escaped = new WeakSet<ArrayBufferLike>();
  private readonly holders = new WeakMap<ArrayBufferLike, number>();
  /** How many times each array was handed out: a filter cache keyed by array identity must also match this. */
  private readonly versions = new WeakMap<Float32Array, number>();
  private pooledBytes = 0;

  /** `limitBytes`: the most memory kept for reuse; beyond it, disposed arrays are left to the GC. */
  constructor(private readonly limitBytes = defaultLimitBytes()) {}

  /** An array of `length` floats with unspecified contents: the caller overwrites every element. */
  alloc(length: number): Float32Array {
    const reused = this.free.get(length)?.pop();
    if (reused) {
      this.pooledBytes -= reused.byteLength;
      this.versions.set(reused, (this.versions.get(reused) ?? 0) + 1);
      return reused;
    }
    const array = new Float32Array(length);
    this.owned.set(array.buffer, array);
    this.versions.set(array, 1);
    return array;
  }

  /** An array of `length` zeros. */
  zeros(length: number): Float32Array {
    return this.alloc(length).fill(0);
  }

  /** 0 for arrays from elsewhere; else changes every time the array is handed out again. */
  version(array: Float32Array): number {
    return this.versions.get(array) ?? 0;
  }

  /** The backend stored `values` for a tensor. */
  stored(values: unknown): void {
    const buffer = bufferOf(values);
    if (buffer) this.holders.set(buffer, (this.holders.get(buffer) ?? 0) + 1);
  }

  /** `values` left the backend (a read): its buffer is never reused. */
  escape(values: unknown): void {
    const buffer = bufferOf(values);
    if (buffer) this.escaped.add(buffer);
  }

  /** The backend deleted a tensor's `values`; the buffer is reused when that was its last holder. */
  released(values: unknown): void {
    const buffer = bufferOf(values);
    if (!buffer) return;
    const left = (this.holders.get(buffer) ?? 1) - 1;
    if (left > 0) {
      this.holders.set(buffer, left);
      return;
    }
    this.holders.delete(buffer);
    const whole = this.owned.get(buffer);
    if (!whole || this.escaped.has(buffer)) return;
    if (this.pooledBytes + whole.byteLength > this.limitBytes) return;
    let list = this.free.get(whole.length);
    if (!list) {
      list = [];
      this.free.set(whole.length, list);
    }
    list.push(whole);
    this.pooledBytes += whole.byteLength;
  }

  /** Bytes held for reuse. */
  get bytes(): number {
    return this.pooledBytes;
  }
}

function bufferOf(values: unknown): ArrayBufferLike | undefined {
  return ArrayBuffer.isView(values) ? values.buffer : undefined;
}

/**
 * A quarter of the machine's memory, between 512 MiB and 8 GiB. A training
 * step must find its whole churn here, or every step faults fresh arrays in
 * page by page (in a virtual machine, 0.6 to 2 s for a 150 MB array, against
 * 6 ms to rewrite one already touched): AlexNet under tfjs' momentum frees
 * five arrays per weight each step, 1.2 GB, and 512 MiB left fc6's 151 MB
 * arrays to the GC every step (250,000 page faults and 7.5 s of CPU time per
 * step on 2 cores, against 1,000 faults and 1.5 s with all of them reused).
 */
function defaultLimitBytes(): number {
  return Math.min(8 * 2 ** 30, Math.max(512 * 2 ** 20, os.totalmem() / 4));
}
