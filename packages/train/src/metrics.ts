/**
 * Classification metrics computed from plain arrays, so they are exact and
 * testable by hand: top-k hits, a confusion matrix, per-class accuracy.
 */

/**
 * Whether the true class is among the `k` highest scores. Ties are broken
 * against the true class (a tie does not count as a hit), which makes the
 * count a lower bound, never a flattering one.
 */
export function inTopK(scores: ArrayLike<number>, label: number, k: number): boolean {
  const target = scores[label] as number;
  if (Number.isNaN(target)) return false;
  let higher = 0;
  for (let c = 0; c < scores.length; c++) {
    if (c === label) continue;
    if ((scores[c] as number) >= target) higher++;
    if (higher >= k) return false;
  }
  return true;
}

/** Accumulates top-1/top-5 hits, the confusion matrix and the loss over batches. */
export class ClassificationMetrics {
  readonly classes: number;
  /** `matrix[true][predicted]` counts. */
  readonly matrix: number[][];
  private count = 0;
  private top1 = 0;
  private top5 = 0;
  private lossSum = 0;

  constructor(classes: number) {
    if (!Number.isInteger(classes) || classes < 1)
      throw new RangeError(`classes must be a positive integer, received ${classes}`);
    this.classes = classes;
    this.matrix = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  }

  /**
   * Adds a batch: `scores` is `[b × classes]` row-major (logits or
   * probabilities), `labels` the `b` true classes, `loss` the batch's mean loss.
   */
  add(scores: ArrayLike<number>, labels: ArrayLike<number>, loss?: number): void {
    const b = labels.length;
    if (scores.length !== b * this.classes) {
      throw new RangeError(
        `scores hold ${scores.length} values; ${b} labels × ${this.classes} classes need ${b * this.classes}`,
      );
    }
    const k5 = Math.min(5, this.classes);
    for (let i = 0; i < b; i++) {
      const row = Array.prototype.slice.call(scores, i * this.classes, (i + 1) * this.classes) as number[];
      const label = labels[i] as number;
      let predicted = 0;
      for (let c = 1; c < this.classes; c++) if ((row[c] as number) > (row[predicted] as number)) predicted = c;
      (this.matrix[label] as number[])[predicted] = ((this.matrix[label] as number[])[predicted] as number) + 1;
      if (inTopK(row, label, 1)) this.top1++;
      if (inTopK(row, label, k5)) this.top5++;
    }
    if (loss !== undefined) this.lossSum += loss * b;
    this.count += b;
  }

  get examples(): number {
    return this.count;
  }

  /** Mean loss per example over everything added. */
  get loss(): number {
    return this.lossSum / this.count;
  }

  /** Fraction of examples whose true class is not the highest score. */
  get top1Error(): number {
    return 1 - this.top1 / this.count;
  }

  /** Fraction whose true class is not among the five highest (all classes when fewer than five). */
  get top5Error(): number {
    return 1 - this.top5 / this.count;
  }

  /** Correct / total for each true class (NaN for a class never seen). */
  perClassAccuracy(): number[] {
    return this.matrix.map((row, c) => (row[c] as number) / row.reduce((a, b) => a + b, 0));
  }
}
