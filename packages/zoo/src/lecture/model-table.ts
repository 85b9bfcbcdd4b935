// A zoo model's layer table for a page or a terminal: `summary(getModel(…))`
// with every number formatted, so no architecture is written out twice.
import { summary } from '@convkit/layers';
import { formatBytes, formatCount, formatMetric, type TraceRow } from '@convkit/shape';
import { getModel, modelCard } from '../index.js';

/** One row of a model's layer table. */
export interface ModelRow {
  name: string;
  type: string;
  depth: number;
  output: string;
  params: string;
  macs: string;
  memory: string;
  field: string;
  formula: string;
}

function rowsOf(rows: readonly TraceRow[], nested: boolean): ModelRow[] {
  return rows.flatMap((r) => [
    {
      name: r.name,
      type: r.type,
      depth: r.depth,
      output: r.outputShape.join('×'),
      params: formatCount(r.params.trainable + r.params.nonTrainable),
      macs: r.macs ? formatMetric(r.macs, 'MACs') : '',
      memory: r.activationBytes ? formatBytes(r.activationBytes) : '',
      field: r.receptiveField ? String(r.receptiveField.size[0]) : '',
      formula: r.formulas ? r.formulas[0] : '',
    },
    ...(nested ? rowsOf(r.branches?.flat() ?? [], nested) : []),
  ]);
}

/** Options of {@link modelTable}. */
export interface ModelTableOptions {
  /** Default: the model card's input. */
  input?: [number, number, number];
  /** List the layers inside branches (inception modules) too. Default false. */
  nested?: boolean;
  /** Row types to leave out, e.g. `['dropout']`. */
  hide?: string[];
  /** Images per batch for the training-memory estimate. Default 1. */
  batch?: number;
}

/** A zoo model's summary as table rows and totals, from shapes alone (no weight is allocated). */
export function modelTable(name: string, options: ModelTableOptions = {}) {
  const card = modelCard(name);
  const input = options.input ?? card.input;
  const batch = options.batch ?? 1;
  const s = summary(getModel(name, { input }), { input, batch });
  const hide = new Set(options.hide ?? []);
  return {
    name,
    card,
    input: input.join('×'),
    rows: rowsOf(s.rows, options.nested ?? false).filter((r) => !hide.has(r.type)),
    totals: {
      params: formatCount(s.totals.params),
      paramsRaw: s.totals.params,
      trainable: formatCount(s.totals.trainable),
      macs: formatMetric(s.totals.macs, 'MACs'),
      flops: formatMetric(s.totals.flops, 'FLOPs'),
      activations: formatCount(s.totals.activations),
      activationBytes: formatBytes(s.memory.activationsPerImage),
      weights: formatBytes(s.memory.weights),
      training: formatBytes(s.memory.training),
    },
  };
}
