import { FormatError, UnsupportedError } from '../errors.js';
import { Attributes } from './attributes.js';
import type { OnnxNode } from './decode.js';
import {
  type Converted,
  type Flow,
  type ImportContext,
  type LayerJSON,
  spatial,
  weightFrom,
} from './import-context.js';
import { describeNode, type StaticTensor } from './statics.js';

/** Typed reads of a node's attributes; a wrong type is a `FormatError` naming the node. */
export interface OnnxAttributeReader {
  int(name: string, fallback: number): number;
  float(name: string, fallback: number): number;
  string(name: string, fallback: string): string;
  /** A list of `length` ints. */
  ints(name: string, fallback: number[] | undefined, length: number): number[] | undefined;
}

/** A constant input of a node (an initializer or a folded constant). */
export interface OnnxStaticInput {
  dims: number[];
  count: number;
  /** The values as float32, read from the file on each call. */
  read(): Float32Array;
}

/** What an ONNX importer gets besides the node. */
export interface OnnxImportContext {
  /** The file's name, for errors. */
  readonly file: string;
  /** The default domain's opset. */
  readonly opset: number;
  /** The per-example shape of the node's first input in convkit's layout: `[h, w, c]` (NCHW in the file) or `[features]`. */
  readonly inputShape: readonly number[];
  readonly attributes: OnnxAttributeReader;
  /** A fresh convkit layer name for the node (its name, else its output's), unique in the model. */
  layerName(): string;
  /** The node's constant input `index` (a weight); one computed from the data throws naming the node. */
  constant(index: number, what: string): OnnxStaticInput;
  /**
   * Gives the convkit weight `name` (`<layer>/<short>`) the values of `source`, as `shape`, transformed on
   * read (`oihwToHwio`, `denseFromTorch`, …); they are assigned when the model is built.
   */
  addWeight(
    name: string,
    source: OnnxStaticInput,
    shape: number[],
    transform?: (v: Float32Array) => Float32Array,
  ): void;
}

/**
 * Turns one ONNX node, reading the data as its first input, into convkit layers (as `fromJSON` data).
 * `shape` is the per-example output shape in convkit's layout; leave it out when the node keeps its input's.
 */
export type OnnxImporter = (node: OnnxNode, ctx: OnnxImportContext) => { layers: LayerJSON[]; shape?: number[] };

const importers = new Map<string, OnnxImporter>();
const key = (domain: string, op: string) => `${domain === 'ai.onnx' ? '' : domain}:${op}`;

/**
 * Registers how an ONNX op (of a custom `domain`, or ONNX's own) becomes convkit layers on import, for
 * `convertOnnx` and `importOnnx`: the counterpart of `registerOnnxExport` for an op a downstream layer
 * writes. convkit's own LRN goes through it. An op registered twice
 * throws; the returned function removes the registration. One node maps to layers; a pattern of several
 * nodes is not matched.
 *
 * @example
 * ```ts
 * registerOnnxImport('SqueezeExcite', (node, ctx) => {
 *   const name = ctx.layerName();
 *   ctx.addWeight(`${name}/w1`, ctx.constant(1, 'w1'), [...]);
 *   return { layers: [{ type: 'squeezeExcite', config: { name, ratio: ctx.attributes.int('ratio', 4) } }] };
 * }, { domain: 'com.example' });
 * ```
 */
export function registerOnnxImport(op: string, importer: OnnxImporter, options: { domain?: string } = {}): () => void {
  const k = key(options.domain ?? '', op);
  if (importers.has(k)) {
    throw new UnsupportedError(
      `registerOnnxImport(${JSON.stringify(op)}${options.domain ? `, domain ${JSON.stringify(options.domain)}` : ''})`,
      'the op already has an importer; call the function its registration returned to remove it first',
    );
  }
  importers.set(k, importer);
  return () => {
    if (importers.get(k) === importer) importers.delete(k);
  };
}

/** The importer registered for a node's op and domain, if any. */
export function registeredImporter(node: OnnxNode): OnnxImporter | undefined {
  return importers.get(key(node.domain, node.op));
}

/** Runs a registered importer on a node reading `flow`. */
export function importRegistered(ctx: ImportContext, node: OnnxNode, flow: Flow, importer: OnnxImporter): Converted {
  // A map already transposed to NHWC would read as NCHW with its axes swapped: refuse it, as spatial layers do.
  if (flow.nhwc) spatial(node, flow);
  const context: OnnxImportContext = {
    file: ctx.file,
    opset: ctx.opset,
    inputShape: flow.shape,
    attributes: new Attributes(node, ctx.file),
    layerName: () => ctx.layerName(node),
    constant: (index, what) => ctx.statics.weight(node, index, what),
    addWeight: (name, source, shape, transform) => {
      const count = shape.reduce((a, b) => a * b, 1);
      if (count !== source.count) {
        throw new FormatError(
          ctx.file,
          node.offset,
          `${describeNode(node)}: weight ${name} as [${shape.join(', ')}] needs ${count} values, the input has ${source.count}`,
        );
      }
      ctx.addWeight(node, name, weightFrom(source as StaticTensor, shape, transform));
    },
  };
  const { layers, shape } = importer(node, context);
  const value = node.outputs[0] ?? '';
  return { layers, flow: shape ? { value, shape } : { ...flow, value } };
}

// convkit's own LRN needs nothing of the walk: it goes through the registry the way a downstream op does.
registerOnnxImport('LRN', (node, ctx) => {
  const a = ctx.attributes;
  const size = a.int('size', 0);
  if (size < 1 || size % 2 === 0)
    throw new UnsupportedError(describeNode(node), `LRN size ${size}: convkit's window is an odd size, centred`);
  if (ctx.inputShape.length !== 3) spatial(node, { value: node.inputs[0] ?? '', shape: [...ctx.inputShape] });
  const config = {
    name: ctx.layerName(),
    size,
    alpha: a.float('alpha', 1e-4),
    beta: a.float('beta', 0.75),
    k: a.float('bias', 1),
  };
  return { layers: [{ type: 'lrn', config }] };
});
