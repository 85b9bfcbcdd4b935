/**
 * The `k` largest items seen so far, by `value`, in O(k) memory: a binary
 * min-heap whose root is the weakest item kept. Ties go to the item pushed
 * first (earlier examples win), so results do not depend on batch size.
 *
 * @example
 * ```ts
 * const best = new TopK<{ value: number }>(2);
 * for (const value of [3, 9, 1, 7]) best.push({ value });
 * best.sorted().map((i) => i.value); // [9, 7]
 * ```
 */
export class TopK<T extends { value: number }> {
  private readonly heap: { item: T; order: number }[] = [];
  private pushed = 0;

  constructor(readonly k: number) {}

  /** Keeps `item` if it is among the `k` largest so far. */
  push(item: T): void {
    const entry = { item, order: this.pushed++ };
    if (this.heap.length < this.k) {
      this.heap.push(entry);
      this.up(this.heap.length - 1);
    } else if (this.k > 0 && this.weaker(this.heap[0] as typeof entry, entry)) {
      this.heap[0] = entry;
      this.down(0);
    }
  }

  /** Would `value` be kept now? (Lets a caller skip building an item.) */
  accepts(value: number): boolean {
    const root = this.heap[0];
    return this.heap.length < this.k || (root !== undefined && value > root.item.value);
  }

  /** The items kept, largest value first (ties: first pushed first). */
  sorted(): T[] {
    return [...this.heap].sort((a, b) => b.item.value - a.item.value || a.order - b.order).map((e) => e.item);
  }

  get size(): number {
    return this.heap.length;
  }

  /** `a` ranks below `b`: a smaller value, or the same value pushed later. */
  private weaker(a: { item: T; order: number }, b: { item: T; order: number }): boolean {
    return a.item.value < b.item.value || (a.item.value === b.item.value && a.order > b.order);
  }

  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.weaker(h[i] as (typeof h)[number], h[parent] as (typeof h)[number])) break;
      [h[i], h[parent]] = [h[parent] as (typeof h)[number], h[i] as (typeof h)[number]];
      i = parent;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      let least = i;
      for (const child of [2 * i + 1, 2 * i + 2]) {
        if (child < h.length && this.weaker(h[child] as (typeof h)[number], h[least] as (typeof h)[number])) {
          least = child;
        }
      }
      if (least === i) return;
      [h[i], h[least]] = [h[least] as (typeof h)[number], h[i] as (typeof h)[number]];
      i = least;
    }
  }
}
