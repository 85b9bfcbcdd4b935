import { FormatError, UnsupportedError } from '../errors.js';
import type { OnnxNode } from './decode.js';
import { describeNode, type Statics, type StaticTensor } from './statics.js';

/** A layer as data: what `fromJSON` of `@convkit/layers` builds. */
export interface LayerJSON {
  type: string;
  config: Record<string, unknown>;
}

/** One imported weight: its convkit shape now, its values when the model is built. */
export interface ImportedWeight {
  shape: number[];
  /** Bytes of the file the values come from (0 for a `ConstantOfShape` fill). */
  fileBytes: number;
  read(): Float32Array;
}

/** The data flowing along the graph at one point of the walk. */
export interface Flow {
  /** The ONNX value name. */
  value: string;
  /** Per-example shape in convkit's layout: `[h, w, c]` or `[features]`. */
  shape: number[];
  /** Features flattened in ONNX's (c, h, w) order from a map of this `[h, w, c]`: the next dense layer reorders its rows. */
  order?: [number, number, number];
  /** A map transposed to NHWC (`Transpose` perm [0, 2, 3, 1]): only a flatten or the graph's output may follow. */
  nhwc?: boolean;
}

/** What the op converters share: the graph's statics and users, layer names, weights. */
export class ImportContext {
  readonly weights = new Map<string, ImportedWeight>();
  private readonly names = new Set<string>();
  private readonly suffixes = new Map<string, number>();
  private weightElements = 0;

  constructor(
    readonly file: string,
    readonly opset: number,
    readonly statics: Statics,
    private readonly usersOf: Map<string, OnnxNode[]>,
    private readonly outputs: ReadonlySet<string>,
    private readonly maxWeightElements: number,
  ) {}

  /** The nodes that read a data value (each once). */
  users(value: string): OnnxNode[] {
    return this.usersOf.get(value) ?? [];
  }

  /** The one node reading `value`, when nothing else (not even the graph's output) does. */
  soleUser(value: string): OnnxNode | undefined {
    const users = this.users(value);
    return users.length === 1 && !this.outputs.has(value) ? users[0] : undefined;
  }

  isOutput(value: string): boolean {
    return this.outputs.has(value);
  }

  /** A unique convkit layer name for a node (its name, else its first output's). */
  layerName(node: OnnxNode): string {
    return this.containerName((node.name || node.outputs[0] || '').trim() || node.op.toLowerCase() || 'layer');
  }

  /** A fresh name, unique among the layers and containers made so far (`base`, `base_2`, …). */
  containerName(base: string): string {
    let name = base;
    let k = this.suffixes.get(base) ?? 1;
    while (this.names.has(name)) name = `${base}_${++k}`;
    this.suffixes.set(base, k);
    this.names.add(name);
    return name;
  }

  /** Registers a weight, keeping the total within the import's limit. */
  addWeight(node: OnnxNode, name: string, weight: ImportedWeight): void {
    this.weightElements += weight.shape.reduce((a, b) => a * b, 1);
    if (this.weightElements > this.maxWeightElements) {
      throw new UnsupportedError(
        describeNode(node),
        `the model's weights pass ${this.maxWeightElements} elements here (pass a larger maxWeightElements to import it)`,
      );
    }
    this.weights.set(name, weight);
  }

  /** Extra outputs (dropout masks, pool indices, training statistics) must be unused. */
  checkExtraOutputs(node: OnnxNode): void {
    for (const output of node.outputs.slice(1)) {
      if (output && (this.users(output).length > 0 || this.outputs.has(output))) {
        throw new UnsupportedError(
          describeNode(node),
          `its output ${JSON.stringify(output)} is used; convkit layers give one output`,
        );
      }
    }
  }
}

/** A static tensor as an imported weight, its values transformed on read. */
export function weightFrom(
  source: StaticTensor,
  shape: number[],
  transform: (values: Float32Array) => Float32Array = (v) => v,
): ImportedWeight {
  return { shape, fileBytes: source.fileBytes, read: () => transform(source.read()) };
}

/** What one step of the walk made: layers (maybe none) and where the data now flows. */
export interface Converted {
  layers: LayerJSON[];
  flow: Flow;
}

/** A `[h, w, c]` map in convkit's layout, or an error: spatial layers need NCHW maps. */
export function spatial(node: OnnxNode, flow: Flow): [number, number, number] {
  if (flow.shape.length !== 3 || flow.nhwc) {
    throw new UnsupportedError(
      describeNode(node),
      `needs an [N, C, H, W] input, receives ${flow.nhwc ? 'an NHWC map' : `[N, ${flow.shape.join(', ')}]`}`,
    );
  }
  return flow.shape as [number, number, number];
}

/** A per-channel vector: `[n]`, or a single value broadcast. */
export function vector(ctx: ImportContext, node: OnnxNode, source: StaticTensor, n: number, what: string) {
  if (source.count !== n && source.count !== 1) {
    throw new FormatError(
      ctx.file,
      node.offset,
      `${describeNode(node)}: ${what} has dims [${source.dims.join(', ')}], expected ${n} values`,
    );
  }
  return weightFrom(source, [n], (v) => (v.length === n ? v : new Float32Array(n).fill(v[0] ?? 0)));
}

/** A static input that must hold one value (a ratio, a clip bound, a pad value). */
export function readScalar(ctx: ImportContext, node: OnnxNode, index: number, what: string): number {
  const t = ctx.statics.weight(node, index, what);
  if (t.count !== 1)
    throw new FormatError(ctx.file, node.offset, `${describeNode(node)}: ${what} has ${t.count} values, expected one`);
  return t.read()[0] as number;
}
