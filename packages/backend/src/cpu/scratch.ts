// Kernels run one at a time on the cpu backend (JavaScript is single
// threaded), so each kernel family can keep its temporary matrices in
// module-level buffers that only grow: a training step then allocates no
// scratch memory after the first one, and the garbage collector stays idle.

/** A reusable Float32Array that grows to the largest size asked of it. */
export class Scratch {
  private buffer = new Float32Array(0);

  /**
   * A view of at least `size` floats. Its contents are whatever the last
   * user left: callers overwrite or zero what they read.
   */
  get(size: number): Float32Array {
    if (this.buffer.length < size) {
      // Grow by at least half again so that slowly increasing sizes do not reallocate every call.
      this.buffer = new Float32Array(Math.max(size, Math.ceil(this.buffer.length * 1.5)));
    }
    return this.buffer;
  }
}

/**
 * The largest temporary matrix (in floats) a kernel builds in one piece: the
 * im2col matrix of a big batch is processed in row chunks below this size,
 * which bounds memory and keeps each chunk warm in cache. 4 Mi floats = 16 MiB.
 */
export const CHUNK_FLOATS = 1 << 22;
