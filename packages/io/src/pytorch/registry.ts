import { UnsupportedError } from '../errors.js';
import type { LayerJSON } from '../onnx/import-context.js';
import { builtInHelpers, builtInPytorch } from './builtins.js';

/** A value of the generated `forward`: a Python variable and its per-example shape in convkit's layout (`[h, w, c]` or `[features]`). */
export interface PytorchValue {
  /** The Python variable (or expression) holding an NCHW map or an `[N, features]` matrix. */
  readonly expr: string;
  /** The shape in convkit's order: `[h, w, c]` for a map (NCHW in Python), `[features]` for a vector. */
  readonly shape: readonly number[];
}

/** The layer being written: its convkit type, name (as `<layer>/<weight>` uses it), Python attribute and config. */
export interface PytorchLayer {
  readonly type: string;
  /** convkit's name, the one its weights carry (`conv1`, `inc3a/3x3`). */
  readonly name: string;
  /** The Python attribute derived from the name (`conv1`, `inc3a_3x3`). */
  readonly attr: string;
  readonly config: Readonly<Record<string, unknown>>;
}

/**
 * How a weight travels between convkit's layout and the module's tensor: `'same'` as is, `'oihw'` an HWIO
 * conv kernel as PyTorch's OIHW, `'linear'` a dense `[in, out]` kernel as `nn.Linear`'s `[out, in]`.
 */
export type PytorchWeightLayout = 'same' | 'oihw' | 'linear';

/**
 * What a layer's PyTorch emitter gets. It declares modules (lines of `Model.__init__`), writes lines of
 * `Model.forward` that read `input` and assign the layer's result, maps its convkit weights to the
 * modules' `state_dict` keys, and asks for runtime helpers (Python classes in `convkit_runtime.py`).
 * Maps are NCHW in Python; shapes given and returned are convkit's (`[h, w, c]`).
 */
export interface PytorchEmitContext {
  readonly layer: PytorchLayer;
  /** The value the layer reads. */
  readonly input: PytorchValue;
  /**
   * Declares `self.<attr><suffix> = <expr>` in `__init__` and returns `self.<attr><suffix>`. A suffix
   * tells apart a layer's second module (`'_pad'`).
   */
  module(expr: string, suffix?: string): string;
  /** Writes `<target> = <expr>` in `forward` (the variable the caller chose for this layer's output) and returns the target. */
  assign(expr: string): string;
  /** Writes a raw line of `forward` at the current indentation. */
  line(code: string): void;
  /** Writes `header` (e.g. `if self.training:`) and the lines `body` writes, indented under it. */
  block<T>(header: string, body: () => T): T;
  /** A fresh Python variable name, starting with `hint`. */
  fresh(hint: string): string;
  /**
   * Maps the layer's convkit weight `<layer>/<short>` to the state_dict key `<module path>` (e.g.
   * `self.conv1.weight` or `conv1.weight`), converted by `layout` when loaded and saved.
   */
  weight(short: string, key: string, layout?: PytorchWeightLayout): void;
  /** Marks a runtime helper (registered with {@link registerPytorchHelper}) as used; returns its Python name (`ck.<name>`). */
  helper(name: string): string;
  /** Writes a child layer (a container's branch) reading `input`; its output goes to `target` (default: this layer's target). */
  child(json: LayerJSON, input: PytorchValue, target?: string): PytorchValue;
  /** Adds a training-mode auxiliary output: `forward` returns `(main, [aux, …])` while training when any was added. */
  aux(value: PytorchValue): void;
}

/**
 * Writes one layer into the generated `model.py` through `ctx` and returns its output. Emitters run on
 * the layer JSON and shapes alone (no tensors): weights are loaded later by `load_convkit_weights`.
 */
export type PytorchEmitter = (ctx: PytorchEmitContext) => PytorchValue;

/** Options of {@link registerPytorchExport}. */
export interface PytorchExportOptions {
  /**
   * The child layers of a container type in the order convkit's `children` lists them (used to name
   * unnamed layers as `nameTree` does). Default: every config value that is a `{ type, config }` or an
   * array of them, in key order.
   */
  children?: (config: Readonly<Record<string, unknown>>) => LayerJSON[];
}

/** A registered emitter with its options (a built-in table entry has the same shape). */
export interface BuiltInEmitter {
  emit: PytorchEmitter;
  options?: PytorchExportOptions;
}

interface Registered {
  emit: PytorchEmitter;
  options: PytorchExportOptions;
}

/** A Python class or function of `convkit_runtime.py`, and the helpers it uses. */
export interface PythonHelper {
  /** Its Python name, `ck.<name>` in model.py. */
  name: string;
  /** Top-level Python source (a class or def) at column 0; it may use `torch`, `nn`, `F`, `math`. */
  source: string;
  /** Helpers this one uses, written before it. */
  needs?: readonly string[];
}

const emitters = new Map<string, Registered>();
const helpers = new Map<string, PythonHelper>();
let builtInsLoaded = false;

/**
 * Registers convkit's own emitters and helpers on first use. Lazily, because the emitter files import
 * this module: loading them while it evaluates would depend on which module an importer named first.
 */
function loadBuiltIns(): void {
  if (builtInsLoaded) return;
  builtInsLoaded = true;
  for (const [type, entry] of Object.entries(builtInPytorch()))
    emitters.set(type, { emit: entry.emit, options: entry.options ?? {} });
  for (const helper of builtInHelpers()) helpers.set(helper.name, helper);
}

/**
 * Registers how a layer type is written into the generated PyTorch `model.py` (`pytorchModelFiles`,
 * `convkit export --format pytorch`). convkit's own layers are registered the same way. A type
 * registered twice throws; the returned function removes the registration.
 *
 * @example
 * ```ts
 * registerPytorchExport('scale', (ctx) => {
 *   const c = ctx.input.shape.at(-1);
 *   const m = ctx.module(`ck.ChannelAffine(${c})`);
 *   ctx.weight('gamma', `${ctx.layer.attr}.weight`);
 *   ctx.weight('beta', `${ctx.layer.attr}.bias`);
 *   return { expr: ctx.assign(`${m}(${ctx.input.expr})`), shape: ctx.input.shape };
 * });
 * ```
 */
export function registerPytorchExport(
  type: string,
  emitter: PytorchEmitter,
  options: PytorchExportOptions = {},
): () => void {
  loadBuiltIns();
  if (emitters.has(type)) {
    throw new UnsupportedError(
      `registerPytorchExport(${JSON.stringify(type)})`,
      'the type already has a PyTorch emitter; call the function its registration returned to remove it first',
    );
  }
  const entry = { emit: emitter, options };
  emitters.set(type, entry);
  return () => {
    if (emitters.get(type) === entry) emitters.delete(type);
  };
}

/**
 * The layer types `pytorchModelFiles` can write now: convkit's and those registered.
 *
 * @example
 * ```ts
 * pytorchExportTypes().includes('conv2d'); // true
 * ```
 */
export function pytorchExportTypes(): string[] {
  loadBuiltIns();
  return [...emitters.keys()].sort();
}

/**
 * Adds a Python class or function to `convkit_runtime.py`, for emitters that need a module PyTorch
 * lacks. Only the helpers a model uses (and what they need) are written. A name registered twice
 * throws; the returned function removes it.
 *
 * @example
 * ```ts
 * registerPytorchHelper({ name: 'Negate', source: 'class Negate(nn.Module):\n    def forward(self, x):\n        return -x\n' });
 * ```
 */
export function registerPytorchHelper(helper: PythonHelper): () => void {
  loadBuiltIns();
  if (helpers.has(helper.name)) {
    throw new UnsupportedError(
      `registerPytorchHelper(${JSON.stringify(helper.name)})`,
      'a runtime helper of that name exists; call the function its registration returned to remove it first',
    );
  }
  helpers.set(helper.name, helper);
  return () => {
    if (helpers.get(helper.name) === helper) helpers.delete(helper.name);
  };
}

/** The registered helper `name`, or undefined. */
export function pythonHelper(name: string): PythonHelper | undefined {
  loadBuiltIns();
  return helpers.get(name);
}

/** The emitter of `type`; an unregistered type throws naming the layer. */
export function emitterOf(type: string, name: string): Registered {
  loadBuiltIns();
  const entry = emitters.get(type);
  if (!entry) {
    throw new UnsupportedError(
      `${name} (${type})`,
      `layer '${name}' (type '${type}') has no PyTorch form; register one with registerPytorchExport(${JSON.stringify(type)}, (ctx) => …) from @convkit/io (registered: ${pytorchExportTypes().join(', ')})`,
    );
  }
  return entry;
}

/** The registration of `type`, if any. */
export function registeredPytorch(type: string): Registered | undefined {
  loadBuiltIns();
  return emitters.get(type);
}
