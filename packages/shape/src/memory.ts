import { bytesPerElement, type Dtype, elements, sum } from './cost.js';
import { assertPositiveInt, ShapeError, show } from './errors.js';
import type { TraceOptions, TraceRow } from './trace.js';

/**
 * Memory in bytes. Activations count the input and every layer's output
 * (what backpropagation keeps) except flatten's, a view of its input; the
 * inference peak counts the largest moment: one layer's input and output
 * together (a concat: its input, all branch outputs and the result).
 */
export interface MemoryEstimate {
  dtype: Dtype;
  batch: number;
  /** Every parameter, trainable or not. */
  weights: number;
  /** Gradient plus optimizer state for every trainable parameter. */
  gradientsAndOptimizer: number;
  /** Input plus every stored layer output, one image. */
  activationsPerImage: number;
  /** `batch · activationsPerImage`: what the batch's forward pass keeps. */
  activationsPerBatch: number;
  /** The largest input + output alive at once, one image. */
  peakActivationsPerImage: number;
  /** `weights + batch · peakActivationsPerImage`. */
  inference: number;
  /** `weights + gradientsAndOptimizer + batch · activationsPerImage`. */
  training: number;
}

/** Elements a layer adds to memory: its output, none for a flatten (a view), or what a custom spec declares. */
export function storedActivations(row: TraceRow): number {
  return row.activationBytes === 0 ? 0 : (row.stored ?? row.activations);
}

/** The largest number of activation elements alive at once, for one image. */
function peakActivations(input: number, rows: readonly TraceRow[]): number {
  return Math.max(
    input,
    ...rows.map((r) => {
      if (!r.branches) return elements(r.inputShape) + storedActivations(r);
      const branchOutputs = sum(r.branches, (b) =>
        b.length ? (b.at(-1) as TraceRow).activations : elements(r.inputShape),
      );
      const inner = r.branches.map((b) => peakActivations(elements(r.inputShape), b));
      return Math.max(elements(r.inputShape) + branchOutputs + r.activations, ...inner);
    }),
  );
}

/** Memory of a traced network for {@link TraceOptions}' batch, dtype and optimizer. */
export function memoryOf(
  rows: readonly TraceRow[],
  totals: { input: number; trainable: number; nonTrainable: number; activations: number },
  options: TraceOptions,
): MemoryEstimate {
  const dtype = options.dtype ?? 'float32';
  const batch = options.batch ?? 1;
  const slots = options.optimizerSlots ?? 1;
  assertPositiveInt('trace', 'batch', batch);
  if (!Number.isInteger(slots) || slots < 0) {
    throw new ShapeError('trace', `optimizerSlots must be an integer ≥ 0, received ${show(slots)}`, {
      optimizerSlots: slots,
    });
  }
  const bytes = bytesPerElement(dtype);
  const weights = (totals.trainable + totals.nonTrainable) * bytes;
  const gradientsAndOptimizer = totals.trainable * (1 + slots) * bytes;
  const activationsPerImage = totals.activations * bytes;
  const peakActivationsPerImage = peakActivations(totals.input, rows) * bytes;
  return {
    dtype,
    batch,
    weights,
    gradientsAndOptimizer,
    activationsPerImage,
    activationsPerBatch: batch * activationsPerImage,
    peakActivationsPerImage,
    inference: weights + batch * peakActivationsPerImage,
    training: weights + gradientsAndOptimizer + batch * activationsPerImage,
  };
}
