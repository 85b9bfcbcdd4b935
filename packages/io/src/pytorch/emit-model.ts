import { UnsupportedError } from '../errors.js';
import type { LayerJSON } from '../onnx/import-context.js';
import { modelSource } from './emit-model-source.js';
import { layerNames, pythonName, reservedAttributes } from './names.js';
import { pythonRuntime } from './python-runtime.js';
import {
  emitterOf,
  type PytorchEmitContext,
  type PytorchLayer,
  type PytorchValue,
  type PytorchWeightLayout,
} from './registry.js';

/** Options of {@link pytorchModelFiles}. */
export interface PytorchModelOptions {
  /** The model's input without the batch, in convkit's order: `[height, width, channels]` or `[features]`. */
  inputShape: readonly number[];
  /** What the files' docstrings call the model (e.g. its zoo name). Default: the root layer's name. */
  title?: string;
}

/** One convkit weight's place in the PyTorch model. */
export interface WeightEntry {
  /** convkit's `<layer>/<weight>`. */
  name: string;
  /** The `state_dict` key. */
  key: string;
  layout: PytorchWeightLayout;
}

/** What the walk wrote: `__init__` and `forward` lines, the weight table, the helpers used. */
export interface ModelParts {
  init: string[];
  forward: string[];
  weights: WeightEntry[];
  helpers: Set<string>;
  hasAux: boolean;
}

/**
 * A convkit model (its layer JSON) as a readable PyTorch package: `model.py` (an `nn.Module` whose
 * attributes are named after convkit's layers, `build_model()`, `load_convkit_weights(model, tensors)`,
 * `convkit_weights(model)`) and `convkit_runtime.py` (the helpers it uses and a safetensors
 * reader/writer). The module takes NCHW float32 and returns logits (with auxiliary heads, while
 * training, `(logits, [aux, …])`). A layer type without a PyTorch form throws an `UnsupportedError`
 * naming the layer; register one with `registerPytorchExport`.
 *
 * @example
 * ```ts
 * const files = pytorchModelFiles(getModel('lenet5-modern').toJSON(), { inputShape: [28, 28, 1] });
 * Object.keys(files); // ['model.py', 'convkit_runtime.py']
 * ```
 */
export function pytorchModelFiles(json: LayerJSON, options: PytorchModelOptions): Record<string, string> {
  const shape = [...options.inputShape];
  if (!(shape.length === 3 || shape.length === 1) || !shape.every((n) => Number.isInteger(n) && n > 0)) {
    throw new UnsupportedError(
      'pytorchModelFiles',
      `inputShape must be [height, width, channels] or [features] of positive integers, received ${JSON.stringify(options.inputShape)}`,
    );
  }
  const walk = new ModelWalk(json);
  const output = walk.emit(json, { expr: 'x', shape }, 'x');
  const rootName = layerNames(json).get(json) ?? json.type;
  const title = options.title ?? rootName;
  return {
    'model.py': modelSource(walk.parts, { title, inputShape: shape, output }),
    'convkit_runtime.py': pythonRuntime(walk.parts.helpers),
  };
}

/** The walk over the layer tree: names, attributes and the lines written so far. */
class ModelWalk {
  readonly parts: ModelParts = { init: [], forward: [], weights: [], helpers: new Set(), hasAux: false };
  readonly names: Map<LayerJSON, string>;
  readonly attrs = new Map<LayerJSON, string>();
  readonly taken: Set<string>;
  readonly variables = new Set<string>(['x', 'aux', 'self', ...reservedAttributes()]);
  /** Attributes already assigned in `__init__`. */
  readonly declared = new Set<string>();
  indent = 2;

  constructor(root: LayerJSON) {
    this.names = layerNames(root);
    this.taken = reservedAttributes();
    for (const [json, name] of this.names) this.attrs.set(json, this.claim(pythonName(name)));
  }

  /** `base`, or `base_2`, `base_3`, … when taken; then taken. */
  claim(base: string, pool: Set<string> = this.taken): string {
    let name = base;
    for (let k = 2; pool.has(name); k++) name = `${base}_${k}`;
    pool.add(name);
    return name;
  }

  emit(json: LayerJSON, input: PytorchValue, target: string): PytorchValue {
    const name = this.names.get(json) ?? json.type;
    const entry = emitterOf(json.type, name);
    const layer: PytorchLayer = {
      type: json.type,
      name,
      attr: this.attrs.get(json) ?? pythonName(name),
      config: json.config ?? {},
    };
    return entry.emit(new LayerContext(this, layer, input, target));
  }

  line(code: string): void {
    this.parts.forward.push(`${'    '.repeat(this.indent)}${code}`);
  }
}

/** One layer's view of the walk. */
class LayerContext implements PytorchEmitContext {
  constructor(
    private readonly walk: ModelWalk,
    readonly layer: PytorchLayer,
    readonly input: PytorchValue,
    private readonly target: string,
  ) {}

  module(expr: string, suffix = ''): string {
    const own = suffix === '' && !this.walk.declared.has(this.layer.attr);
    const attr = own ? this.layer.attr : this.walk.claim(`${this.layer.attr}${pythonName(suffix || '_2')}`);
    this.walk.declared.add(attr);
    this.walk.parts.init.push(`        self.${attr} = ${expr}`);
    return `self.${attr}`;
  }

  assign(expr: string): string {
    this.walk.line(`${this.target} = ${expr}`);
    return this.target;
  }

  line(code: string): void {
    this.walk.line(code);
  }

  block<T>(header: string, body: () => T): T {
    this.walk.line(header);
    const before = this.walk.parts.forward.length;
    this.walk.indent++;
    try {
      const result = body();
      if (this.walk.parts.forward.length === before) this.walk.line('pass');
      return result;
    } finally {
      this.walk.indent--;
    }
  }

  fresh(hint: string): string {
    return this.walk.claim(pythonName(hint), this.walk.variables);
  }

  weight(short: string, key: string, layout: PytorchWeightLayout = 'same'): void {
    const name = `${this.layer.name}/${short}`;
    if (this.walk.parts.weights.some((w) => w.name === name)) {
      throw new UnsupportedError(`${this.layer.name} (${this.layer.type})`, `weight ${name} was mapped twice`);
    }
    this.walk.parts.weights.push({ name, key: key.replace(/^self\./, ''), layout });
  }

  helper(name: string): string {
    this.walk.parts.helpers.add(name);
    return `ck.${name}`;
  }

  child(json: LayerJSON, input: PytorchValue, target?: string): PytorchValue {
    return this.walk.emit(json, input, target ?? this.target);
  }

  aux(value: PytorchValue): void {
    this.walk.parts.hasAux = true;
    this.walk.line(`aux.append(${value.expr})`);
  }
}
