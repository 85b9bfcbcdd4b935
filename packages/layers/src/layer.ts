import { type LayerSpec, type Shape, ShapeError, trace } from '@convkit/shape';
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from './errors.js';
import { type Initializer, initialize } from './initializers.js';

/** Options every layer takes. */
export interface BaseConfig {
  /** Shown in summaries and prefixed to weight names; containers name unnamed children `<type><n>`. */
  name?: string;
}

/** A weight a layer will create in `build`, known from shapes alone. */
export interface WeightSpec {
  /** Short name within the layer (`kernel`, `bias`, `gamma`, …). */
  name: string;
  shape: number[];
  trainable: boolean;
  init: Initializer;
}

/** Options of `build`. */
export interface BuildOptions {
  /** Seed of the weight initializers; weight k of a layer uses `seed + k`. Default 0. */
  seed?: number;
}

/** Options of `apply`. */
export interface ApplyOptions {
  /** Training mode (dropout drops, batch norm uses batch statistics). Default false. */
  training?: boolean;
  /** Seed for a training-mode random draw (dropout). */
  seed?: number;
}

/** A layer's geometry for one input: its specs and its output shape, found in one walk. */
export interface LayerShapes {
  specs: LayerSpec[];
  output: number[];
}

/**
 * While a build runs, each layer's shapes for an input are remembered, so
 * that a container and each child it builds do not walk the same subtree
 * again (names, which specs carry, cannot change during a build). Outside a
 * build nothing is cached: `assignName` may rename a layer at any time.
 */
let buildCache: WeakMap<Layer, Map<string, LayerShapes>> | undefined;

/** A layer as data: what `toJSON` writes and `fromJSON` reads. */
export interface LayerJSON {
  type: string;
  config: Record<string, unknown>;
}

/**
 * The layer contract. A layer is configured with plain JSON options; it
 * answers from shapes alone (`specs` → `@convkit/shape`) before any weight
 * exists; `build(inputShape)` creates its named, seeded `tf.Variable`s and
 * `apply(x)` runs it. Shapes exclude the batch and are channels last (NHWC
 * tensors, HWIO kernels). Concrete layers are final classes; extend by
 * composition or by a new subclass of `Layer` registered with `registerLayer`.
 *
 * @example
 * ```ts
 * const conv = new Conv2d({ filters: 6, kernel: 5 });
 * conv.outputShape([32, 32, 1]);           // [28, 28, 6], no tensor allocated
 * conv.build([32, 32, 1], { seed: 1 });
 * const y = conv.apply(tf.zeros([8, 32, 32, 1]));
 * ```
 */
export abstract class Layer<C extends BaseConfig = BaseConfig> {
  /** The registry name of the layer's class. */
  abstract readonly type: string;
  readonly config: Readonly<C>;
  /**
   * The layers this one contains, in order: a sequential's layers, a
   * concat's branches, an auxiliary head's classifier; empty for a leaf. A
   * downstream container declares its own (`override readonly children`) so
   * that `walkLayers`, summaries, exporters and viz's pictures reach inside it.
   *
   * @example
   * ```ts
   * class Residual extends Layer {
   *   readonly type = 'residual';
   *   override readonly children: readonly Layer[];
   *   constructor(inner: Layer) { super({}); this.children = [inner]; }
   *   // specs, call, … as any layer
   * }
   * ```
   */
  readonly children: readonly Layer[] = [];
  private assignedName: string | undefined;
  private builtInput: number[] | undefined;
  private readonly vars = new Map<string, tf.Variable>();

  constructor(config: C) {
    this.config = Object.freeze({ ...config });
  }

  /** The layer's name: its configured one, or the one its container gave it, or its type. */
  get name(): string {
    return this.config.name ?? this.assignedName ?? this.type;
  }

  /**
   * Containers name their unnamed children (`conv2d1`, …); a configured name
   * wins. The outermost container names last, so names are unique across
   * the whole model.
   */
  assignName(name: string): void {
    this.assignedName = name;
  }

  /** The layer's geometry for `@convkit/shape` (one spec; containers give several). */
  abstract specs(input: Shape): LayerSpec[];

  /** The weights `build` will create for this input shape. */
  weightSpecs(_input: Shape): WeightSpec[] {
    return [];
  }

  /** Output shape (no batch) for an input shape, without allocating anything. */
  outputShape(input: Shape): number[] {
    return [...this.shapes(input).output];
  }

  /**
   * Specs and output shape together. Containers ask their children for
   * these once each, so shapes cost time linear in the number of layers
   * however deep containers nest; a downstream container should do the
   * same (override `computeShapes`) rather than call a child's `specs` and
   * `outputShape` separately, which walks the child twice per level.
   */
  shapes(input: Shape): LayerShapes {
    const key = input.join(',');
    const cached = buildCache?.get(this)?.get(key);
    if (cached) return cached;
    const computed = this.computeShapes(input);
    if (buildCache) {
      const own = buildCache.get(this) ?? new Map<string, LayerShapes>();
      own.set(key, computed);
      buildCache.set(this, own);
    }
    return computed;
  }

  /** `shapes` without the build-time cache: a leaf traces its own specs; containers fold their children's `shapes`. */
  protected computeShapes(input: Shape): LayerShapes {
    const specs = this.specs(input);
    return { specs, output: trace(input, specs).output };
  }

  /** Creates the weights for `input` (no batch), seeded. Building twice with the same shape is a no-op. */
  build(input: Shape, options: BuildOptions = {}): this {
    if (this.builtInput) {
      if (sameShape(this.builtInput, input)) return this;
      throw new ShapeError(
        this.name,
        `already built for [${this.builtInput.join(', ')}], asked to build for [${input.join(', ')}]`,
        {
          built: this.builtInput,
          input,
        },
      );
    }
    const outermost = buildCache === undefined;
    if (outermost) buildCache = new WeakMap();
    try {
      this.shapes(input); // validates the geometry, naming the layer
      const seed = options.seed ?? 0;
      this.weightSpecs(input).forEach((w, k) => {
        const initial = initialize(w.init, w.shape, seed + k, this.name);
        // tfjs names variables process-wide; ours are `<layer>/<weight>` (see namedWeights).
        this.vars.set(w.name, tf.variable(initial, w.trainable));
        initial.dispose();
      });
      this.builtInput = [...input];
      this.onBuild(input, options);
    } finally {
      if (outermost) buildCache = undefined;
    }
    return this;
  }

  /** Hook for containers, which build their children. */
  protected onBuild(_input: Shape, _options: BuildOptions): void {}

  /** Whether `build` has run. */
  get built(): boolean {
    return this.builtInput !== undefined;
  }

  /** The input shape the layer was built for. */
  get inputShape(): number[] | undefined {
    return this.builtInput && [...this.builtInput];
  }

  /** A weight by its short name; throws if the layer is not built or has no such weight. */
  protected weight(name: string): tf.Variable {
    const v = this.vars.get(name);
    if (!v)
      throw new ConfigError(
        this.name,
        `has no weight ${JSON.stringify(name)}${this.built ? '' : ': call build(inputShape) first'}`,
      );
    return v;
  }

  /** Every weight with its name, `<layer>/<weight>` (containers include their children's). */
  namedWeights(): [string, tf.Variable][] {
    return [...this.vars].map(([short, v]) => [`${this.name}/${short}`, v]);
  }

  /** Every weight (containers include their children's). */
  weights(): tf.Variable[] {
    return this.namedWeights().map(([, v]) => v);
  }

  /** The weights by full name (`<layer>/<weight>`), children's included. */
  getWeights(): Record<string, tf.Variable> {
    return Object.fromEntries(this.namedWeights());
  }

  /**
   * Assigns weights by full name. Every name must exist with the same shape;
   * all problems are reported at once and nothing is assigned unless all fit.
   */
  setWeights(values: Record<string, tf.Tensor>): void {
    const own = this.getWeights();
    const problems: string[] = [];
    for (const [name, value] of Object.entries(values)) {
      const target = own[name];
      if (!target) problems.push(`no weight ${name}`);
      else if (target.shape.join() !== value.shape.join()) {
        problems.push(`${name} is [${target.shape.join(', ')}], received [${value.shape.join(', ')}]`);
      }
    }
    if (problems.length > 0) {
      throw new ShapeError(
        this.name,
        `cannot set weights: ${problems.join('; ')} (weights: ${Object.keys(own).join(', ')})`,
        {
          received: Object.keys(values),
        },
      );
    }
    for (const [name, value] of Object.entries(values)) own[name]?.assign(value);
  }

  /** The weights training updates. */
  trainableWeights(): tf.Variable[] {
    return this.weights().filter((v) => v.trainable);
  }

  /**
   * Runs the layer on a batch (`[batch, ...shape]`). The input must have the
   * rank and channel count the layer was built for; spatial sizes may differ,
   * as convolutions allow.
   */
  apply(x: tf.Tensor, options: ApplyOptions = {}): tf.Tensor {
    const built = this.builtInput;
    if (!built) throw new ConfigError(this.name, 'apply before build: call build(inputShape) first');
    const shape = x.shape.slice(1);
    if (
      shape.length !== built.length ||
      shape.at(-1) !== built.at(-1) ||
      (built.length === 1 && shape[0] !== built[0])
    ) {
      throw new ShapeError(
        this.name,
        `expects inputs of shape [batch, ${built.join(', ')}] (rank ${built.length + 1}, ${built.at(-1)} channels), received [${x.shape.join(', ')}]`,
        { expected: built, received: x.shape },
      );
    }
    return tf.tidy(() => this.call(x, options));
  }

  /** The computation, on a checked input; runs inside `tf.tidy`. */
  protected abstract call(x: tf.Tensor, options: ApplyOptions): tf.Tensor;

  /** `{ type, config }`: the architecture as JSON (weights are saved separately). */
  toJSON(): LayerJSON {
    return { type: this.type, config: { ...this.config } as Record<string, unknown> };
  }

  /** Frees the weights. */
  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
    this.builtInput = undefined;
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
