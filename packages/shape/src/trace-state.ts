import type { ParamSplit } from './params.js';
import type { ReceptiveField } from './receptive-field.js';
import type { TraceRow } from './trace.js';

/** The receptive field along height and width; `undefined` once an output sees the whole input. */
export type Field2 = [ReceptiveField, ReceptiveField] | undefined;

/** Where the walk of {@link trace} stands between two layers. */
export interface State {
  shape: number[];
  field: Field2;
}

/** What every layer of one {@link trace} call shares: default names, strictness, element size. */
export interface Context {
  counters: Map<string, number>;
  strict: boolean;
  bytes: number;
}

/** What one layer does: its output and field, and what it costs (absent counts are 0). */
export interface Step {
  output: number[];
  field: Field2;
  params?: ParamSplit;
  macs?: number;
  formulas?: [string, string];
  branches?: TraceRow[][];
  /** Elements kept for backward when a custom layer declares other than its output's. */
  stored?: number;
}
