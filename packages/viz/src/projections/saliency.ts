import { ConfigError, type Layer, walkLayers } from '@convkit/layers';
import * as tf from '@tensorflow/tfjs-core';
import { activationAt } from '../model-path.js';
import { type ChosenUnit, locateUnits, type ProjectionData, release, type UnitTarget } from './target.js';

/** Which unit a gradient is taken of: by default the model's output (a class score), its largest channel. */
export interface GradientTarget extends Omit<UnitTarget, 'layer'> {
  /** The layer whose unit is scored. Default: the model itself (its output). */
  layer?: string;
}

/** A gradient projection: plain values `data` of `shape`, and the unit each example was projected from. */
export interface GradientResult extends ProjectionData {
  layer: string;
  units: ChosenUnit[];
}

/**
 * Gradient saliency (Simonyan, Vedaldi & Zisserman 2014): for each example,
 * `max over channels |∂score/∂x|`, where the score is one unit of a layer
 * (by default the model's output at its top class; Simonyan et al. take the
 * class score before the softmax, so name the last linear layer's output
 * when the model ends in one). `shape` is `[batch, height, width]`. One
 * forward pass finds the units, one `tf.grad` pass takes every example's
 * gradient at once; reads are asynchronous. Draw with {@link heatmapImage}.
 *
 * @example
 * ```ts
 * const s = await saliency(model, x, { channel: 7 }); // the class-7 score of every example
 * s.shape; // [batch, 28, 28]
 * const picture = heatmapImage(s, 0, { scale: 4 });
 * ```
 */
export async function saliency(model: Layer, x: tf.Tensor, target: GradientTarget = {}): Promise<GradientResult> {
  const { gradient, layer, units } = await inputGradient(model, x, target, 'saliency', false);
  const map = tf.tidy(() => tf.max(tf.abs(gradient), -1));
  gradient.dispose();
  return { ...(await release(map)), layer, units };
}

/**
 * Guided backpropagation (Springenberg et al. 2015): the gradient of a
 * unit's score with respect to the input, where every ReLU's backward pass
 * lets through only positive gradients, and only where its forward input
 * was positive. Each ReLU of the model (an `Activation` `relu` layer or a
 * layer with `activation: 'relu'`) is substituted for the pass by a
 * `tf.customGrad` ReLU with that backward rule; the model is left as it was.
 * Without ReLUs it equals the plain gradient. `shape` is the input's,
 * `[batch, height, width, channels]`. Draw with {@link projectionImage}.
 *
 * @example
 * ```ts
 * const g = await guidedBackprop(model, x, { layer: 'conv2', channel: 3 });
 * const picture = projectionImage(g, 0, { scale: 4 });
 * ```
 */
export async function guidedBackprop(model: Layer, x: tf.Tensor, target: GradientTarget = {}): Promise<GradientResult> {
  const { gradient, layer, units } = await inputGradient(model, x, target, 'guidedBackprop', true);
  return { ...(await release(gradient)), layer, units };
}

/** ∂(each example's unit)/∂x for the whole batch: the units summed, as examples do not interact at inference. */
async function inputGradient(model: Layer, x: tf.Tensor, target: GradientTarget, name: string, guided: boolean) {
  const layer = target.layer ?? model.name;
  const op = `${name}(${layer})`;
  if (!(x instanceof tf.Tensor) || x.dtype !== 'float32') {
    const got = x instanceof tf.Tensor ? `a ${x.dtype} tensor [${x.shape.join(', ')}]` : String(x);
    throw new ConfigError(op, `the input must be a float32 tensor (NHWC), received ${got}`);
  }
  const first = activationAt(model, x, layer);
  const shape = first.shape;
  let located: Awaited<ReturnType<typeof locateUnits>>;
  try {
    located = await locateUnits(first, { ...target, layer }, op);
  } finally {
    first.dispose();
  }
  const selector = tf.tensor(located.selector, shape);
  const score = (input: tf.Tensor) => tf.sum(tf.mul(activationAt(model, input, layer), selector));
  try {
    const gradient = guided ? withGuidedRelus(model, () => tf.grad(score)(x)) : tf.grad(score)(x);
    return { gradient, layer, units: located.units };
  } finally {
    selector.dispose();
  }
}

/** A ReLU whose backward pass passes `dy` only where `dy > 0` and the forward output (so the input) is positive. */
const guidedRelu: (z: tf.Tensor) => tf.Tensor = tf.customGrad(((z: tf.Tensor, save: tf.GradSaveFunc) => {
  const y = tf.relu(z);
  save([y]);
  return {
    value: y,
    gradFunc: (dy: tf.Tensor, [out]: tf.Tensor[]) =>
      tf.mul(dy, tf.cast(tf.logicalAnd(tf.greater(dy, 0), tf.greater(out as tf.Tensor, 0)), dy.dtype)),
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]);

/** Whether a layer's output is a ReLU's: an `Activation` `relu`, or a fused `activation: 'relu'`. */
function endsInRelu(layer: Layer): boolean {
  const config = layer.config as { activation?: string; fn?: string };
  if (layer.children.length > 0) return false;
  return layer.type === 'activation' ? config.fn === 'relu' : config.activation === 'relu';
}

/**
 * Runs `run` with every ReLU of the model followed by the guided ReLU (the
 * identity forward on a ReLU's output, so the forward pass is unchanged; its
 * backward rule composed with the ReLU's own is guided backpropagation's),
 * and restores each layer's `apply` afterwards, even on error.
 */
function withGuidedRelus<T>(model: Layer, run: () => T): T {
  const relus = [...new Set(walkLayers(model).map((v) => v.layer))].filter(endsInRelu);
  const own = relus.map((l) => Object.hasOwn(l, 'apply'));
  const applies = relus.map((l) => l.apply);
  relus.forEach((l, i) => {
    const apply = applies[i] as Layer['apply'];
    l.apply = (input, options) => guidedRelu(apply.call(l, input, options));
  });
  try {
    return run();
  } finally {
    relus.forEach((l, i) => {
      if (own[i]) l.apply = applies[i] as Layer['apply'];
      else Reflect.deleteProperty(l, 'apply');
    });
  }
}
