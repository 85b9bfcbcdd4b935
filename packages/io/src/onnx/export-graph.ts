import type { ProtoMessage } from '../proto/writer.js';
import { type Attribute, int64TensorProto, node, tensorProto } from './builders.js';

/** A value of the graph being written: its name and its per-example shape. */
export interface Value {
  name: string;
  /** Per-example shape in convkit's layout: `[h, w, c]` or `[features]`. */
  shape: number[];
}

/**
 * Writing nodes and initializers with unique names: what a layer's ONNX
 * exporter needs of the graph (`OnnxExportContext` extends it).
 */
export interface OnnxGraphWriter {
  /** A fresh value name: `name`, else `name_1`, `name_2`, … */
  unique(name: string): string;
  /**
   * Adds a node with one output, named uniquely after `name`, and returns that output's name. A `domain`
   * other than ONNX's own needs its opset declared with `opsetImport`.
   */
  add(op: string, inputs: readonly string[], name: string, attributes?: Attribute[], domain?: string): string;
  /** Adds a float32 initializer (row-major values of `dims`) and returns its unique name. */
  floats(name: string, dims: readonly number[], values: Float32Array): string;
  /** Adds a 1-D int64 initializer (shapes, pads, axes) and returns its unique name. */
  int64s(name: string, values: readonly number[]): string;
  /** Declares an opset of a custom domain for the model (`com.example`, 1); the highest version asked wins. */
  opsetImport(domain: string, version: number): void;
}

/** Nodes and initializers under construction, with unique value names. */
export class Graph implements OnnxGraphWriter {
  readonly nodes: ProtoMessage[] = [];
  readonly initializers: ProtoMessage[] = [];
  /** Opsets of custom domains the nodes use, by domain. */
  readonly domains = new Map<string, number>();
  private readonly used = new Set<string>();

  unique(name: string): string {
    let candidate = name;
    for (let k = 1; this.used.has(candidate); k++) candidate = `${name}_${k}`;
    this.used.add(candidate);
    return candidate;
  }

  add(op: string, inputs: readonly string[], name: string, attributes: Attribute[] = [], domain = ''): string {
    const output = this.unique(name);
    this.nodes.push(node(op, inputs, [output], output, attributes, domain));
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

  opsetImport(domain: string, version: number): void {
    if (domain === '' || domain === 'ai.onnx' || !Number.isInteger(version) || version < 1) {
      throw new RangeError(
        `opsetImport: a custom domain and a version ≥ 1, received ${JSON.stringify(domain)} version ${version} (the default domain's opset is exportOnnx's opset option)`,
      );
    }
    this.domains.set(domain, Math.max(version, this.domains.get(domain) ?? 0));
  }
}
