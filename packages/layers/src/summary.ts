import {
  type Dtype,
  formatBytes,
  formatCount,
  formatMetric,
  formatTable,
  type Shape,
  type TraceResult,
  type TraceRow,
  trace,
} from '@convkit/shape';
import { ConfigError } from './errors.js';
import type { Layer } from './layer.js';

/** Options of {@link summary}. */
export interface SummaryOptions {
  /** Input shape without the batch, channels last. Required: a layer has no shape of its own. */
  input: Shape;
  /** Images per batch for the batch memory figures. Default 1. */
  batch?: number;
  dtype?: Dtype;
  /** Optimizer state per trainable weight: 0 SGD, 1 momentum (default), 2 Adam. */
  optimizerSlots?: number;
}

/** `trace`'s result for a model, with a text table (`text`, also `String(summary)`). */
export type Summary = TraceResult & { text: string };

/**
 * Per layer: name, type, output shape, trainable / non-trainable
 * parameters, MACs (and FLOPs = 2×MACs), activation memory; totals; memory
 * per image and per batch for inference and training — from shapes alone,
 * no tensor allocated. The result is JSON; `text` is the table.
 *
 * @example
 * ```ts
 * console.log(summary(model, { input: [224, 224, 3], batch: 64 }).text);
 * ```
 */
export function summary(model: Layer, options: SummaryOptions): Summary {
  if (!options || !Array.isArray(options.input)) {
    throw new ConfigError(
      model.name,
      `summary needs { input: [height, width, channels] }, received ${JSON.stringify(options)}`,
    );
  }
  const result = trace(options.input, model.specs(options.input), {
    batch: options.batch ?? 1,
    ...(options.dtype ? { dtype: options.dtype } : {}),
    optimizerSlots: options.optimizerSlots ?? 1,
  });
  const text = renderSummary(model.name, result);
  return Object.assign(result, { text, toString: () => text });
}

function rowsOf(rows: readonly TraceRow[]): string[][] {
  return rows.flatMap((r) => [
    [
      `${'  '.repeat(r.depth)}${r.name}`,
      r.kind ?? r.type,
      r.outputShape.join('×'),
      formatCount(r.params.trainable),
      formatCount(r.params.nonTrainable),
      r.macs ? formatMetric(r.macs, 'MACs') : '',
      r.activationBytes ? formatBytes(r.activationBytes) : '',
    ],
    ...rowsOf(r.branches?.flat() ?? []),
  ]);
}

function renderSummary(name: string, result: TraceResult): string {
  const { totals, memory } = result;
  const table = formatTable(
    ['layer', 'type', 'output', 'trainable', 'non-trainable', 'MACs', 'memory'],
    rowsOf(result.rows),
    ['left', 'left', 'right', 'right', 'right', 'right', 'right'],
  );
  return [
    `${name}: input ${result.input.join('×')} → output ${result.output.join('×')} (per image, channels last)`,
    table,
    `params: ${formatCount(totals.params)} (trainable ${formatCount(totals.trainable)}, non-trainable ${formatCount(totals.nonTrainable)}), ${formatBytes(memory.weights)}`,
    `compute: ${formatMetric(totals.macs, 'MACs')} = ${formatMetric(totals.flops, 'FLOPs')} per image`,
    `memory per image: ${formatBytes(memory.activationsPerImage)} activations (forward, input included); inference peak ${formatBytes(memory.peakActivationsPerImage)}`,
    `batch of ${memory.batch}: inference ${formatBytes(memory.inference)}, training ${formatBytes(memory.training)} (weights, gradients, optimizer state, activations)`,
  ].join('\n');
}
