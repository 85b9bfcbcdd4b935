import { fromJSON, type Layer, type LayerJSON, type Summary, sequential, summary } from '@convkit/layers';
import { formatBytes, formatCount, formatMetric, type TraceRow } from '@convkit/shape';
import { architectureSvg } from '@convkit/viz';
import { getModel, modelCard, modelNames } from '@convkit/zoo';
import { checkLimits } from './network-limits.js';
import type { Schema } from './state.js';

/** What the network editor edits: an input shape and a stack of layers as the library serializes them. */
export interface NetworkSource {
  input: number[];
  layers: LayerJSON[];
}

/** The network editor's shareable state: the JSON text, or a zoo model to start from. */
export interface NetworkState {
  model: string;
  source: string;
}

export const MAX_SOURCE_LENGTH = 60_000;
/** Layers in a network, nested ones included: a shared link must not build a model that stalls the tab. */
export const MAX_LAYERS = 2_000;
/** How deep containers may nest (a layer at the top is depth 1); the zoo's deepest model needs a few. */
export const MAX_NESTING = 16;

export const NETWORK_DEFAULTS: NetworkState = { model: 'lenet5-modern', source: '' };

export function networkSchema(): Schema {
  return {
    model: { kind: 'enum', values: modelNames() },
    source: { kind: 'string', maxLength: MAX_SOURCE_LENGTH },
  };
}

/** A model of the zoo as editor source: its input and its top-level layers, one per line. */
export function sourceOfModel(name: string): string {
  const json = getModel(name).toJSON();
  const layers = (json.config as { layers?: LayerJSON[] }).layers ?? [json];
  return formatSource({ input: [...modelCard(name).input], layers });
}

/** `{ input, layers }` as JSON text with one layer per line. */
export function formatSource(source: NetworkSource): string {
  const layers = source.layers.map((l) => `    ${JSON.stringify(l)}`).join(',\n');
  return `{\n  "input": ${JSON.stringify(source.input)},\n  "layers": [\n${layers}\n  ]\n}\n`;
}

/** One row of the editor's summary table, already formatted. */
export interface NetworkRow {
  /** The top-level layer (index into `layers`) the row belongs to. */
  layer: number;
  depth: number;
  name: string;
  type: string;
  output: string;
  params: string;
  macs: string;
  memory: string;
  field: string;
}

export type NetworkAnalysis =
  | {
      ok: true;
      summary: Summary;
      rows: NetworkRow[];
      totals: { params: string; trainable: string; macs: string; flops: string; activations: string; output: string };
      svg: string;
    }
  | {
      ok: false;
      /** Where the problem is: the JSON text, the structure, or a layer. */
      stage: 'json' | 'structure' | 'layer';
      message: string;
      /** The top-level layer the library rejected. */
      layer?: number;
      /** 1-based line of the text where the problem is, when known. */
      line?: number;
    };

/** 1-based line of a character offset. */
function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Where `JSON.parse` stopped, from V8's message ("at position 12" or "line 3 column 5"). */
function syntaxErrorLine(text: string, message: string): number | undefined {
  const lineColumn = /line (\d+) column (\d+)/.exec(message);
  if (lineColumn) return Number(lineColumn[1]);
  const position = /at position (\d+)/.exec(message);
  if (position) return lineOf(text, Number(position[1]));
  // Older V8: `Unexpected token 'm', ..." {"type": maxPool2d}"... is not valid JSON` quotes the context.
  const context = /Unexpected token '(.)', (?:\.\.\.)?"(.*?)"(?:\.\.\.)? is not valid JSON/s.exec(message);
  if (context) {
    const [, token = '', snippet = ''] = context;
    const start = text.indexOf(snippet);
    if (start >= 0) return lineOf(text, start + Math.max(0, snippet.indexOf(token)));
  }
  if (/Unexpected end of JSON input/.test(message)) return lineOf(text, text.trimEnd().length);
  return undefined;
}

/**
 * The 1-based line where each element of the top-level `"layers"` array
 * starts, found by scanning the text (strings and nesting respected), so
 * that an error in layer k points at its line however the text is laid out.
 */
export function layerLines(text: string): number[] {
  const lines: number[] = [];
  let depth = 0;
  let line = 1;
  let inString = false;
  let lastKey = '';
  let keyStart = -1;
  let layersDepth = -1;
  let expectElement = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\n') line++;
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') {
        inString = false;
        lastKey = text.slice(keyStart + 1, i);
      }
      continue;
    }
    if (ch === '"') {
      if (expectElement && depth === layersDepth) {
        lines.push(line);
        expectElement = false;
      }
      inString = true;
      keyStart = i;
      continue;
    }
    if (ch === '[' || ch === '{') {
      if (expectElement && depth === layersDepth) {
        lines.push(line);
        expectElement = false;
      }
      depth++;
      if (ch === '[' && depth === 2 && lastKey === 'layers' && layersDepth < 0) {
        layersDepth = depth;
        expectElement = true;
      }
    } else if (ch === ']' || ch === '}') {
      if (depth === layersDepth) layersDepth = -2;
      depth--;
    } else if (ch === ',' && depth === layersDepth) expectElement = true;
    else if (expectElement && depth === layersDepth && !/\s/.test(ch as string)) {
      lines.push(line);
      expectElement = false;
    }
  }
  return lines;
}

function structureError(message: string, layer?: number, lines?: number[]): NetworkAnalysis {
  const line = layer === undefined ? undefined : lines?.[layer];
  return {
    ok: false,
    stage: 'structure',
    message,
    ...(layer === undefined ? {} : { layer }),
    ...(line === undefined ? {} : { line }),
  };
}

/** Checks the parsed JSON's shape: `{ input: [h, w, c] | [n], layers: [{ type, config? }, …] }`. */
function checkSource(value: unknown, lines: number[]): NetworkSource | NetworkAnalysis {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return structureError('expected an object { "input": [height, width, channels], "layers": [...] }');
  }
  const { input, layers, ...rest } = value as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length > 0)
    return structureError(`unknown field ${JSON.stringify(extra[0])}: expected "input" and "layers"`);
  if (
    !Array.isArray(input) ||
    (input.length !== 3 && input.length !== 1) ||
    !input.every((n) => Number.isInteger(n) && n >= 1 && n <= 100_000)
  ) {
    return structureError(
      `"input" must be [height, width, channels] (or [features]) of positive integers, received ${JSON.stringify(input)}`,
    );
  }
  if (!Array.isArray(layers) || layers.length === 0) {
    return structureError('"layers" must be a non-empty array of { "type": …, "config": { … } }');
  }
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i] as unknown;
    if (typeof layer !== 'object' || layer === null || Array.isArray(layer)) {
      return structureError(`layer ${i} must be an object { "type": …, "config": { … } }`, i, lines);
    }
    const { type, config } = layer as Record<string, unknown>;
    if (typeof type !== 'string') return structureError(`layer ${i} has no "type"`, i, lines);
    if (config !== undefined && (typeof config !== 'object' || config === null || Array.isArray(config))) {
      return structureError(`layer ${i} (${type}): "config" must be an object`, i, lines);
    }
  }
  const breach = checkLimits(layers, MAX_NESTING, MAX_LAYERS);
  if (breach?.kind === 'nesting') {
    const { type } = layers[breach.layer] as { type: string };
    return structureError(
      `layer ${breach.layer} (${type}) nests layers ${breach.depth} deep, more than the playground's ${MAX_NESTING}: flatten some containers into their parent`,
      breach.layer,
      lines,
    );
  }
  if (breach?.kind === 'layers') {
    return structureError(
      `more than the playground's ${formatCount(MAX_LAYERS)} layers (nested ones included): this network has at least ${formatCount(breach.count)}`,
    );
  }
  return { input: input as number[], layers: layers as LayerJSON[] };
}

function formatRow(row: TraceRow, layer: number): NetworkRow[] {
  const params = row.params.trainable + row.params.nonTrainable;
  const own: NetworkRow = {
    layer,
    depth: row.depth,
    name: row.name,
    type: row.type,
    output: row.outputShape.join('×'),
    params: formatCount(params),
    macs: row.macs ? formatMetric(row.macs, 'MACs') : '',
    memory: row.activationBytes ? formatBytes(row.activationBytes) : '',
    field: row.receptiveField ? `${row.receptiveField.size[0]}×${row.receptiveField.size[1]}` : '',
  };
  return [own, ...(row.branches ?? []).flat().flatMap((r) => formatRow(r, layer))];
}

/**
 * Reads the editor's text and answers what the library says about it: the
 * summary (shapes, parameters, MACs, memory, receptive fields) and the
 * architecture diagram, or the library's error with the layer it names
 * and the line of the text where that layer is.
 */
export function analyzeNetwork(text: string): NetworkAnalysis {
  if (text.length > MAX_SOURCE_LENGTH) {
    return {
      ok: false,
      stage: 'json',
      message: `the text is ${text.length} characters, more than ${MAX_SOURCE_LENGTH}`,
    };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const line = syntaxErrorLine(text, message);
    return { ok: false, stage: 'json', message: `not valid JSON: ${message}`, ...(line ? { line } : {}) };
  }
  const lines = layerLines(text);
  const source = checkSource(parsed, lines);
  if ('ok' in source) return source;

  const layers: Layer[] = [];
  for (let i = 0; i < source.layers.length; i++) {
    try {
      layers.push(fromJSON(source.layers[i] as LayerJSON));
    } catch (error) {
      return layerError(error, i, lines);
    }
  }
  const model = sequential(layers, { name: 'network' });
  // Walk the stack layer by layer, so the first layer whose geometry fails is the one reported.
  let shape: number[] = source.input;
  const rowsPerLayer: number[] = [];
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i] as Layer;
    try {
      rowsPerLayer.push(layer.specs(shape).length);
      shape = layer.outputShape(shape);
    } catch (error) {
      return layerError(error, i, lines);
    }
  }
  let result: Summary;
  try {
    result = summary(model, { input: source.input });
  } catch (error) {
    return { ok: false, stage: 'layer', message: (error as Error).message };
  }
  const owners = rowsPerLayer.flatMap((count, i) => new Array<number>(count).fill(i));
  const rows = result.rows.flatMap((row, k) => formatRow(row, owners[k] ?? 0));
  const { totals } = result;
  return {
    ok: true,
    summary: result,
    rows,
    totals: {
      params: formatCount(totals.params),
      trainable: formatCount(totals.trainable),
      macs: formatMetric(totals.macs, 'MACs'),
      flops: formatMetric(totals.flops, 'FLOPs'),
      activations: formatBytes(result.memory.activationsPerImage),
      output: result.output.join('×'),
    },
    svg: architectureSvg(result, { title: 'network' }),
  };
}

function layerError(error: unknown, layer: number, lines: number[]): NetworkAnalysis {
  const line = lines[layer];
  const kind = (error as Error).name && (error as Error).name !== 'Error' ? `${(error as Error).name}: ` : '';
  return {
    ok: false,
    stage: 'layer',
    message: `${kind}${(error as Error).message}`,
    layer,
    ...(line === undefined ? {} : { line }),
  };
}
