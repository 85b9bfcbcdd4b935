import type { ProtoMessage } from '../proto/writer.js';
import { type Attribute, int64TensorProto, node, tensorProto } from './builders.js';

/** A value of the graph being written: its name and its per-example shape. */
export interface Value {
  name: string;
  /** Per-example shape in convkit's layout: `[h, w, c]` or `[features]`. */
  shape: number[];
}

/** Nodes and initializers under construction, with unique value names. */
export class Graph {
  readonly nodes: ProtoMessage[] = [];
  readonly initializers: ProtoMessage[] = [];
  private readonly used = new Set<string>();

  unique(name: string): string {
    let candidate = name;
    for (let k = 1; this.used.has(candidate); k++) candidate = `${name}_${k}`;
    this.used.add(candidate);
    return candidate;
  }

  add(op: string, inputs: readonly string[], name: string, attributes: Attribute[] = []): string {
    const output = this.unique(name);
    this.nodes.push(node(op, inputs, [output], output, attributes));
    return output;
  }

  floats(name: string, dims: readonly number[], values: Float32Array): string {
    const unique = this.unique(name);
    this.initializers.push(tensorProto(unique, dims, values));
    return unique;
  }

  int64s(name: string, values: readonly number[]): string {
    const unique = this.unique(name);
    this.initializers.push(int64TensorProto(unique, [values.length], values));
    return unique;
  }
}
