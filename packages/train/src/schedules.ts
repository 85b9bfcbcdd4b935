import { checkOptions, type OptionKinds } from './options.js';

/**
 * Learning-rate schedules as data (so recipes and run configs are JSON) and
 * the stateful objects that follow them. Epochs count from 0; the rate is
 * asked at every step with the fraction of the epoch done, so warm-up is
 * smooth while the other schedules change at epoch boundaries, as PyTorch's
 * epoch-stepped schedulers do.
 */

export type ScheduleConfig = (
  | { type: 'constant' }
  /** lr × gamma every `stepSize` epochs (PyTorch StepLR). */
  | { type: 'step'; stepSize: number; gamma?: number }
  /** lr × gamma at each milestone epoch (PyTorch MultiStepLR). */
  | { type: 'multistep'; milestones: number[]; gamma?: number }
  /** lr × `factors[i]` from epoch `boundaries[i − 1]` on (`factors` has one more entry than `boundaries`). */
  | { type: 'piecewise'; boundaries: number[]; factors: number[] }
  /**
   * lr × factor once validation loss has failed to improve by a relative
   * `threshold` for more than `patience` epochs, then `cooldown` epochs of
   * grace; never below `minLr` (PyTorch ReduceLROnPlateau, mode 'min', 'rel').
   * AlexNet's authors did this by hand: ÷10 when validation error stopped improving.
   */
  | { type: 'plateau'; factor?: number; patience?: number; cooldown?: number; minLr?: number; threshold?: number }
  /** Half a cosine from lr down to `minLr` over `epochs` (PyTorch CosineAnnealingLR, T_max = epochs). */
  | { type: 'cosine'; epochs: number; minLr?: number }
) & {
  /** Linear warm-up: from `startFactor` × lr to lr over the first `epochs` (fractional per step). */
  warmup?: { epochs: number; startFactor?: number };
};

/** What `fit` keeps of a plateau schedule across a checkpoint. */
export interface ScheduleState {
  scale: number;
  best: number;
  badEpochs: number;
  cooldownLeft: number;
}

/** A schedule in use: the rate now, told each epoch's validation loss. */
export interface Schedule {
  /** The learning rate at `epoch` (0-based) with `fraction` ∈ [0, 1) of it done. */
  rate(epoch: number, fraction?: number): number;
  /** Called at the end of each epoch with its validation loss (only plateau listens). */
  observe(validationLoss: number): void;
  state(): ScheduleState;
  restore(state: ScheduleState): void;
}

type Kinds<T extends ScheduleConfig['type']> = OptionKinds<Extract<ScheduleConfig, { type: T }>>;
const OPTIONS: { [T in ScheduleConfig['type']]: Kinds<T> } = {
  constant: { type: 'string', warmup: 'object' },
  step: { type: 'string', stepSize: 'number', gamma: 'number', warmup: 'object' },
  multistep: { type: 'string', milestones: 'numbers', gamma: 'number', warmup: 'object' },
  piecewise: { type: 'string', boundaries: 'numbers', factors: 'numbers', warmup: 'object' },
  plateau: {
    type: 'string',
    factor: 'number',
    patience: 'number',
    cooldown: 'number',
    minLr: 'number',
    threshold: 'number',
    warmup: 'object',
  },
  cosine: { type: 'string', epochs: 'number', minLr: 'number', warmup: 'object' },
};
const WARMUP: OptionKinds<NonNullable<ScheduleConfig['warmup']>> = { epochs: 'number', startFactor: 'number' };

function nonNegative(name: string, value: number | undefined): void {
  if (value !== undefined && !(value >= 0))
    throw new RangeError(`schedule: ${name} must be a number ≥ 0, received ${value}`);
}

function positive(name: string, value: number): void {
  if (!(Number.isFinite(value) && value > 0))
    throw new RangeError(`schedule: ${name} must be a positive number, received ${value}`);
}

/**
 * The schedule for `config` starting from `baseLr`.
 *
 * @example
 * ```ts
 * const s = createSchedule({ type: 'step', stepSize: 2, gamma: 0.1 }, 0.01);
 * [0, 1, 2, 3, 4].map((e) => s.rate(e)); // [0.01, 0.01, 0.001, 0.001, 0.0001]
 * ```
 */
export function createSchedule(config: ScheduleConfig, baseLr: number): Schedule {
  positive('the base learning rate', baseLr);
  const options = Object.hasOwn(OPTIONS, config?.type) ? OPTIONS[config.type] : undefined;
  if (options) checkOptions('schedule', config, options as OptionKinds<ScheduleConfig>);
  if (config.warmup !== undefined) checkOptions('schedule.warmup', config.warmup, WARMUP);
  if ('minLr' in config) nonNegative(`${config.type}.minLr`, config.minLr);
  const base = baseFactor(config, baseLr);
  const warmup = config.warmup;
  if (warmup) {
    positive('warmup.epochs', warmup.epochs);
    const start = warmup.startFactor ?? 0.1;
    if (!(start >= 0 && start <= 1))
      throw new RangeError(`schedule: warmup.startFactor must be in [0, 1], received ${start}`);
  }
  const plateau = config.type === 'plateau' ? plateauOptions(config) : undefined;
  let state: ScheduleState = { scale: 1, best: Number.POSITIVE_INFINITY, badEpochs: 0, cooldownLeft: 0 };
  return {
    rate(epoch, fraction = 0) {
      let lr = baseLr * base(epoch) * state.scale;
      if (plateau) lr = Math.max(lr, plateau.minLr);
      if (warmup) {
        const start = warmup.startFactor ?? 0.1;
        lr *= start + (1 - start) * Math.min(1, (epoch + fraction) / warmup.epochs);
      }
      return lr;
    },
    observe(validationLoss) {
      if (!plateau) return;
      const { factor, patience, cooldown, minLr, threshold } = plateau;
      if (validationLoss < state.best * (1 - threshold)) {
        state.best = validationLoss;
        state.badEpochs = 0;
      } else {
        state.badEpochs++;
      }
      if (state.cooldownLeft > 0) {
        state.cooldownLeft--;
        state.badEpochs = 0;
      }
      if (state.badEpochs > patience) {
        state.scale = Math.max(state.scale * factor, minLr / baseLr);
        state.cooldownLeft = cooldown;
        state.badEpochs = 0;
      }
    },
    state: () => ({ ...state }),
    restore(saved) {
      state = { ...saved };
    },
  };
}

function baseFactor(config: ScheduleConfig, baseLr: number): (epoch: number) => number {
  switch (config.type) {
    case 'constant':
    case 'plateau':
      return () => 1;
    case 'step': {
      const { stepSize, gamma = 0.1 } = config;
      if (!(Number.isInteger(stepSize) && stepSize > 0)) {
        throw new RangeError(`schedule: step.stepSize must be a positive integer, received ${stepSize}`);
      }
      positive('step.gamma', gamma);
      return (epoch) => gamma ** Math.floor(epoch / stepSize);
    }
    case 'multistep': {
      const { milestones, gamma = 0.1 } = config;
      positive('multistep.gamma', gamma);
      if (!increasing(milestones)) {
        throw new RangeError(
          `schedule: multistep.milestones must be increasing positive integers, received [${milestones.join(', ')}]`,
        );
      }
      return (epoch) => gamma ** milestones.filter((m) => m <= epoch).length;
    }
    case 'piecewise': {
      const { boundaries, factors } = config;
      if (!increasing(boundaries) || factors.length !== boundaries.length + 1 || !factors.every((f) => f > 0)) {
        throw new RangeError(
          `schedule: piecewise needs increasing positive integer boundaries and one more positive factor than boundaries, received boundaries [${boundaries.join(', ')}] and factors [${factors.join(', ')}]`,
        );
      }
      return (epoch) => factors[boundaries.filter((b) => b <= epoch).length] as number;
    }
    case 'cosine': {
      const { epochs, minLr = 0 } = config;
      if (!(Number.isInteger(epochs) && epochs > 0)) {
        throw new RangeError(`schedule: cosine.epochs must be a positive integer, received ${epochs}`);
      }
      const floor = minLr / baseLr;
      return (epoch) => floor + ((1 - floor) * (1 + Math.cos((Math.PI * Math.min(epoch, epochs)) / epochs))) / 2;
    }
    default:
      throw new RangeError(
        `schedule: unknown type ${JSON.stringify((config as { type: unknown }).type)}; expected constant, step, multistep, piecewise, plateau or cosine`,
      );
  }
}

function increasing(epochs: readonly number[]): boolean {
  return epochs.every((m, i) => Number.isInteger(m) && m > 0 && (i === 0 || m > (epochs[i - 1] as number)));
}

function plateauOptions(config: Extract<ScheduleConfig, { type: 'plateau' }>) {
  const { factor = 0.1, patience = 10, cooldown = 0, minLr = 0, threshold = 1e-4 } = config;
  if (!(factor > 0 && factor < 1))
    throw new RangeError(`schedule: plateau.factor must be in (0, 1), received ${factor}`);
  if (!(Number.isInteger(patience) && patience >= 0))
    throw new RangeError(`schedule: plateau.patience must be a non-negative integer, received ${patience}`);
  if (!(Number.isInteger(cooldown) && cooldown >= 0))
    throw new RangeError(`schedule: plateau.cooldown must be a non-negative integer, received ${cooldown}`);
  nonNegative('plateau.threshold', threshold);
  return { factor, patience, cooldown, minLr, threshold };
}
