import { ConfigError, type Layer } from '@convkit/layers';
import * as tf from '@tensorflow/tfjs-core';
import { layerPath } from '../model-path.js';
import { backStep, type DeconvStep, deconvChain, recordSwitches } from './deconv-steps.js';
import { type ChosenUnit, locateUnits, type ProjectionData, release, type UnitTarget } from './target.js';

/** Options of {@link deconvnet}: the unit, and the layers to pass through. */
export interface DeconvnetOptions extends UnitTarget {
  /**
   * Layer types or names (e.g. `['lrn']`) that run forward as usual but send
   * the signal back unchanged: Zeiler & Fergus's deconvnet has no step for
   * contrast normalization. Each must keep its input's shape. Default none.
   */
  passThrough?: readonly string[];
}

/** What {@link deconvnet} projected: `[batch, height, width, channels]` input-space signals, one per example. */
export interface DeconvnetResult extends ProjectionData {
  layer: string;
  /** The unit projected in each example: its channel, position and activation. */
  units: ChosenUnit[];
}

/**
 * Projects one unit's activation back to the input pixels with a deconvnet
 * (Zeiler & Fergus 2014, §2.1): the batch runs forward through the layers up
 * to `layer`, recording each max pool's switches; every other activation of
 * `layer` is set to zero; then, from `layer` back to the input, each max pool
 * is unpooled through its switches, each ReLU rectifies the signal, and each
 * convolution applies its own filters transposed (`conv2dTranspose` with the
 * same weights, bias left out). The model must be a chain (sequential
 * containers are opened) of conv2d (linear or relu), maxPool2d, relu and
 * layers that are the identity at inference (dropout); any other layer on the
 * way throws a `ConfigError` naming it and its kind, unless `passThrough`
 * lists it. The batch is one pass; nothing is random; reads are
 * asynchronous, so it runs in browsers as in Node. Tensors are NHWC. Draw a result with {@link projectionImage}.
 *
 * @example
 * ```ts
 * const x = tf.div(tf.tensor4d(bytes, [9, 28, 28, 1], 'float32'), 255);
 * const p = await deconvnet(model, x, { layer: 'conv2', channel: 3 }); // each example at its strongest position
 * p.shape; // [9, 28, 28, 1]
 * p.units[0]; // { channel: 3, position: [4, 7], value: 2.31 }
 * const picture = projectionImage(p, 0, { scale: 4 });
 * ```
 */
export async function deconvnet(model: Layer, x: tf.Tensor, target: DeconvnetOptions): Promise<DeconvnetResult> {
  const op = `deconvnet(${target?.layer})`;
  if (x?.rank !== 4) {
    throw new ConfigError(op, `the input must be an NHWC batch [batch, h, w, channels], received ${describe(x)}`);
  }
  const chain = deconvChain(layerPath(model, target.layer, op), target.passThrough);
  const { steps, output } = await recordForward(chain, x as tf.Tensor4D);
  let seed: tf.Tensor;
  let units: ChosenUnit[];
  try {
    const located = await locateUnits(output, target, op);
    units = located.units;
    seed = tf.tidy(() => tf.mul(output, tf.tensor(located.selector, output.shape)));
  } finally {
    output.dispose();
  }
  const projection = tf.tidy(() =>
    steps.reduceRight((signal, step) => {
      const next = backStep(step, signal);
      signal.dispose();
      return next;
    }, seed),
  );
  return { ...(await release(projection)), layer: target.layer, units };
}

/** The forward pass, one layer at a time, keeping only shapes and switches (the activations are freed). */
async function recordForward(
  chain: ReturnType<typeof deconvChain>,
  x: tf.Tensor4D,
): Promise<{ steps: DeconvStep[]; output: tf.Tensor }> {
  const steps: DeconvStep[] = [];
  let h: tf.Tensor = tf.clone(x);
  try {
    for (const { layer, kind, rectify } of chain) {
      const step: DeconvStep = { layer, kind, input: h.shape as DeconvStep['input'], rectify };
      if (h.rank !== 4) {
        throw new ConfigError(layer.name, `the deconvnet needs NHWC maps, and its input is [${h.shape.join(', ')}]`);
      }
      if (kind === 'maxPool') step.switches = await recordSwitches(layer, h as tf.Tensor4D);
      const next = layer.apply(h);
      if (kind === 'passThrough' && next.shape.join() !== h.shape.join()) {
        next.dispose();
        throw new ConfigError(
          layer.name,
          `${layer.type} maps [${h.shape.join(', ')}] to [${next.shape.join(', ')}]: only a layer that keeps the shape can pass the signal through`,
        );
      }
      if (next !== h) h.dispose(); // a linear activation returns its input
      h = next;
      steps.push(step);
    }
  } catch (error) {
    h.dispose();
    throw error;
  }
  return { steps, output: h };
}

function describe(x: unknown): string {
  return x instanceof tf.Tensor ? `a tensor of shape [${x.shape.join(', ')}]` : String(x);
}
