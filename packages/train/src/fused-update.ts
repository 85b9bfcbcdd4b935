import * as tf from '@tensorflow/tfjs-core';

// One kernel call updates every variable of a step, where a backend has the
// fused update (the native backend registers `ConvkitSgdUpdate` and
// `ConvkitAdamUpdate`, @convkit/backend-native's kernels/optimizer.ts, which
// documents the inputs and outputs; wasm registers `ConvkitSgdUpdate` too,
// @convkit/backend's wasm/sgd-update.ts). The per-variable path dispatches four
// to eight kernels per variable, each with scalar tensors; on a small net
// that bookkeeping is a good part of the step. Both paths do the same float32
// operations in the same order, so their results agree to the bit.

/** The kernels' names, as the backends register them. */
const SGD_UPDATE = 'ConvkitSgdUpdate';
const ADAM_UPDATE = 'ConvkitAdamUpdate';

/** A weight to update, its gradient (not yet decayed) and whether L2 decay applies to it. */
export interface UpdateEntry {
  name: string;
  weight: tf.Variable;
  gradient: tf.Tensor;
  decay: boolean;
}

/** The state tensor of one weight (`<weight name>/<slot>`), zeros like the weight the first time. */
export type Slot = (name: string, like: tf.Tensor) => tf.Variable;

/** Whether the active backend has `kernelName` and every tensor is float32 (the kernels take nothing else). */
function fusable(kernelName: string, entries: readonly UpdateEntry[]): boolean {
  if (entries.length === 0 || !tf.getKernel(kernelName, tf.getBackend())) return false;
  return entries.every((e) => e.weight.dtype === 'float32' && e.gradient.dtype === 'float32');
}

/** Runs `kernelName` and assigns its outputs: the new weights, then each slot's new values, in `slots` order. */
function runAndAssign(
  kernelName: string,
  entries: readonly UpdateEntry[],
  slots: readonly { key: string; of: (e: UpdateEntry) => tf.Variable }[],
  attrs: tf.NamedAttrMap,
): void {
  const inputs: tf.NamedTensorMap = {};
  // Slots are made weight by weight, as the per-variable update makes them, so a state lists them in the same order.
  const states = entries.map((e) => slots.map(({ of }) => of(e)));
  entries.forEach((e, i) => {
    inputs[`w${i}`] = e.weight;
    inputs[`g${i}`] = e.gradient;
    slots.forEach(({ key }, k) => {
      inputs[`${key}${i}`] = states[i]?.[k] as tf.Variable;
    });
  });
  const targets = [...entries.map((e) => e.weight), ...slots.flatMap((_, k) => states.map((s) => s[k] as tf.Variable))];
  const outputs = tf.engine().runKernel(kernelName, inputs, attrs) as unknown as tf.Tensor[];
  // assign takes a reference; the caller's tidy disposes the kernel's own.
  targets.forEach((variable, i) => {
    variable.assign(outputs[i] as tf.Tensor);
  });
}

/**
 * SGD (with momentum μ, Nesterov) over every entry in one kernel call.
 * @returns false when the backend has no fused SGD (the caller runs the per-variable update).
 */
export function fusedSgd(
  entries: readonly UpdateEntry[],
  slot: Slot,
  options: { lr: number; momentum: number; nesterov: boolean; weightDecay: number },
): boolean {
  if (!fusable(SGD_UPDATE, entries)) return false;
  const slots =
    options.momentum > 0 ? [{ key: 'v', of: (e: UpdateEntry) => slot(`${e.name}/momentum`, e.weight) }] : [];
  runAndAssign(SGD_UPDATE, entries, slots, { ...options, decay: entries.map((e) => (e.decay ? 1 : 0)) });
  return true;
}

/**
 * Adam over every entry in one kernel call; `step` is the number of the update being applied (1 for the first).
 * @returns false when the backend has no fused Adam.
 */
export function fusedAdam(
  entries: readonly UpdateEntry[],
  slot: Slot,
  options: { lr: number; beta1: number; beta2: number; epsilon: number; weightDecay: number; step: number },
): boolean {
  if (!fusable(ADAM_UPDATE, entries)) return false;
  const { step, ...rest } = options;
  const slots = [
    { key: 'm', of: (e: UpdateEntry) => slot(`${e.name}/m`, e.weight) },
    { key: 'v', of: (e: UpdateEntry) => slot(`${e.name}/v`, e.weight) },
  ];
  // The bias corrections in JS, as the per-variable update computes them (a C library's pow may round otherwise).
  const bias = { bias1: 1 - options.beta1 ** step, bias2: 1 - options.beta2 ** step };
  runAndAssign(ADAM_UPDATE, entries, slots, { ...rest, ...bias, decay: entries.map((e) => (e.decay ? 1 : 0)) });
  return true;
}
