import * as tf from '@tensorflow/tfjs-core';
import { fusedAdam, fusedSgd, type Slot, type UpdateEntry } from './fused-update.js';
import { checkOptions, type OptionKinds } from './options.js';

/**
 * Optimizers as data. Both follow PyTorch's update rules, so a recipe's
 * numbers mean what they mean there; weight decay is L2 added to the
 * gradient (`g + λ·w`), as AlexNet, VGG and GoogLeNet apply it.
 */
export type OptimizerConfig =
  | {
      type: 'sgd';
      /** Default 0; the papers use 0.9. `v ← μ·v + g`, `w ← w − lr·v` (PyTorch SGD, dampening 0). */
      momentum?: number;
      /** Nesterov momentum: `w ← w − lr·(g + μ·v)`. */
      nesterov?: boolean;
      /** L2 coefficient λ added to the gradient; default 0 (the papers: 0.0005). */
      weightDecay?: number;
      /** Also decay 1-D weights (biases, batch-norm scale and shift). Default false, as Caffe's reference models set biases' decay to 0. */
      decayBias?: boolean;
    }
  | {
      type: 'adam';
      beta1?: number;
      beta2?: number;
      epsilon?: number;
      weightDecay?: number;
      decayBias?: boolean;
    };

/** A named tensor's values, as checkpoints store them. */
export interface SavedTensor {
  data: Float32Array;
  shape: number[];
}

/** Everything an optimizer needs to continue exactly where it stopped. */
export interface OptimizerState {
  steps: number;
  /** Slots by `<weight name>/<slot>` (`momentum`, `m`, `v`). */
  slots: Record<string, SavedTensor>;
}

/** An optimizer bound to nothing: `step` gets the weights, their gradients and the rate. */
export interface Optimizer {
  readonly config: OptimizerConfig;
  /** Number of updates applied so far. */
  readonly steps: number;
  /** Updates each weight in place from its gradient; weights without a gradient are left alone. */
  step(weights: readonly [string, tf.Variable][], gradients: ReadonlyMap<string, tf.Tensor>, lr: number): void;
  /** A copy of the state (read asynchronously, so it works on GPU backends). */
  state(): Promise<OptimizerState>;
  restore(state: OptimizerState): void;
  dispose(): void;
}

const OPTIONS: { [T in OptimizerConfig['type']]: OptionKinds<Extract<OptimizerConfig, { type: T }>> } = {
  sgd: { type: 'string', momentum: 'number', nesterov: 'boolean', weightDecay: 'number', decayBias: 'boolean' },
  adam: {
    type: 'string',
    beta1: 'number',
    beta2: 'number',
    epsilon: 'number',
    weightDecay: 'number',
    decayBias: 'boolean',
  },
};

function checkRange(name: string, value: number, low: number, high: number): void {
  if (!(value >= low && value < high))
    throw new RangeError(`optimizer: ${name} must be in [${low}, ${high}), received ${value}`);
}

type SgdConfig = Extract<OptimizerConfig, { type: 'sgd' }>;
type AdamConfig = Extract<OptimizerConfig, { type: 'adam' }>;
/** One weight's update from its (already decayed) gradient. */
type Update = (name: string, weight: tf.Variable, g: tf.Tensor, lr: number) => void;

function sgdUpdate(config: SgdConfig, slot: Slot): Update {
  const { momentum = 0, nesterov = false } = config;
  checkRange('momentum', momentum, 0, 1);
  if (nesterov && momentum === 0) throw new RangeError('optimizer: nesterov needs momentum > 0, received momentum 0');
  return (name, weight, g, lr) => {
    if (momentum === 0) {
      weight.assign(tf.sub(weight, tf.mul(g, lr)));
      return;
    }
    const velocity = slot(`${name}/momentum`, weight);
    // PyTorch initializes the buffer to the first gradient; μ·0 + g gives the same.
    velocity.assign(tf.add(tf.mul(velocity, momentum), g));
    const direction = nesterov ? tf.add(g, tf.mul(velocity, momentum)) : velocity;
    weight.assign(tf.sub(weight, tf.mul(direction, lr)));
  };
}

/** Adam; `steps()` is the number of the update being applied (1 for the first), for the bias correction. */
function adamUpdate(config: AdamConfig, slot: Slot, steps: () => number): Update {
  const { beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8 } = config;
  checkRange('beta1', beta1, 0, 1);
  checkRange('beta2', beta2, 0, 1);
  return (name, weight, g, lr) => {
    const m = slot(`${name}/m`, weight);
    const v = slot(`${name}/v`, weight);
    m.assign(tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1)));
    v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2)));
    const mHat = tf.div(m, 1 - beta1 ** steps());
    const vHat = tf.div(v, 1 - beta2 ** steps());
    weight.assign(tf.sub(weight, tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), epsilon)), lr)));
  };
}

/** The whole step in one kernel call where the backend has it (fused-update.ts); false: run `Update` per weight. */
function fusedFor(config: OptimizerConfig, slot: Slot, steps: () => number) {
  const weightDecay = config.weightDecay ?? 0;
  if (config.type === 'sgd') {
    const { momentum = 0, nesterov = false } = config;
    return (entries: UpdateEntry[], lr: number) => fusedSgd(entries, slot, { lr, momentum, nesterov, weightDecay });
  }
  const { beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8 } = config;
  return (entries: UpdateEntry[], lr: number) =>
    fusedAdam(entries, slot, { lr, beta1, beta2, epsilon, weightDecay, step: steps() });
}

function updateFor(config: OptimizerConfig, slot: Slot, steps: () => number): Update {
  if (config.type === 'sgd') return sgdUpdate(config, slot);
  if (config.type === 'adam') return adamUpdate(config, slot, steps);
  throw new RangeError(
    `optimizer: unknown type ${JSON.stringify((config as { type: unknown }).type)}; expected sgd or adam`,
  );
}

/**
 * The optimizer for `config`.
 *
 * @example
 * ```ts
 * const sgd = createOptimizer({ type: 'sgd', momentum: 0.9, weightDecay: 0.0005 });
 * sgd.step(model.namedWeights(), gradients, 0.01);
 * ```
 */
export function createOptimizer(config: OptimizerConfig): Optimizer {
  const options = Object.hasOwn(OPTIONS, config?.type) ? OPTIONS[config.type] : undefined;
  if (options) checkOptions('optimizer', config, options as OptionKinds<OptimizerConfig>);
  const weightDecay = config.weightDecay ?? 0;
  checkRange('weightDecay', weightDecay, 0, 1);
  const slots = new Map<string, tf.Variable>();
  let steps = 0;
  const slot: Slot = (name, like) => {
    let v = slots.get(name);
    if (!v) {
      v = tf.variable(tf.zerosLike(like), false);
      slots.set(name, v);
    }
    return v;
  };
  const decays = (weight: tf.Variable) => weightDecay > 0 && (config.decayBias || weight.rank > 1);
  const decayed = (weight: tf.Variable, gradient: tf.Tensor): tf.Tensor =>
    decays(weight) ? tf.add(gradient, tf.mul(weight, weightDecay)) : gradient;
  const update = updateFor(config, slot, () => steps);
  const fused = fusedFor(config, slot, () => steps);

  return {
    config,
    get steps() {
      return steps;
    },
    step(weights, gradients, lr) {
      if (!(Number.isFinite(lr) && lr >= 0))
        throw new RangeError(`optimizer: lr must be a non-negative number, received ${lr}`);
      steps++;
      tf.tidy(() => {
        const entries: UpdateEntry[] = [];
        for (const [name, weight] of weights) {
          const gradient = gradients.get(name);
          if (gradient && weight.trainable) entries.push({ name, weight, gradient, decay: decays(weight) });
        }
        if (fused(entries, lr)) return;
        for (const { name, weight, gradient } of entries) update(name, weight, decayed(weight, gradient), lr);
      });
    },
    async state() {
      const saved: Record<string, SavedTensor> = {};
      for (const [name, v] of slots) saved[name] = { data: (await v.data()) as Float32Array, shape: [...v.shape] };
      return { steps, slots: saved };
    },
    restore(state) {
      for (const v of slots.values()) v.dispose();
      slots.clear();
      steps = state.steps;
      for (const [name, { data, shape }] of Object.entries(state.slots)) {
        const initial = tf.tensor(data, shape);
        slots.set(name, tf.variable(initial, false));
        initial.dispose();
      }
    },
    dispose() {
      for (const v of slots.values()) v.dispose();
      slots.clear();
    },
  };
}
