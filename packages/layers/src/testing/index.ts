/**
 * `@convkit/layers/testing`: the harness every built-in layer passes and
 * that downstream layer authors run on theirs, in any test runner (it throws
 * an `Error` naming the failed check).
 *
 * @packageDocumentation
 */
import type { Shape } from '@convkit/shape';
import * as tf from '@tensorflow/tfjs-core';
import type { Layer } from '../layer.js';
import { checkGradients, checkRoundTrip, fail, values } from './checks.js';
import {
  acceptedInputs,
  checkOutputShapeAt,
  checkParameters,
  defaultExtraInputs,
  objectivesOf,
  probeInputs,
} from './declarations.js';
import { checkMacs, type MacsCheck, type MacsReport } from './measured-macs.js';

export type { KernelMacs, MacsCheck, MacsReport, MeasuredMacs } from './measured-macs.js';
export { measureMacs } from './measured-macs.js';

/** Options of {@link runLayerTest}. */
export interface LayerTestOptions {
  /** Input shape without the batch, channels last. */
  input: Shape;
  /**
   * More input shapes on which a freshly built layer must compute the output shape and hold the
   * parameters it declares (forward pass only). Default: `input` with height and width doubled, for a
   * rank-3 input the layer accepts; `[]` checks `input` alone.
   */
  extraInputs?: Shape[];
  /** Default 2. */
  batch?: number;
  /** Weight seed. Default 1. */
  seed?: number;
  /** Run in training mode (dropout with a fixed seed). Default false. */
  training?: boolean;
  /** Finite-difference tolerance: |analytic − numeric| ≤ atol + rtol·|numeric|. Defaults 5e-2 and 2e-3. */
  rtol?: number;
  atol?: number;
  /** Weight elements checked by finite differences, per weight. Default 4. */
  samples?: number;
  /**
   * How the declared MACs (what `summary()` shows) are held against what the ops of one inference
   * forward pass multiply ({@link measureMacs}), at every input checked: `'exact'` for a layer whose
   * formula counts every multiply its ops make (a convolution, a dense layer, a gate); `'atMost'`
   * (default) where the ops may compute more than the formula (a masked kernel, a constant scale);
   * `'skip'` to not measure.
   */
  macs?: MacsCheck;
}

/** What {@link runLayerTest} checked. */
export interface LayerTestReport {
  outputShape: number[];
  weights: string[];
  checkedGradients: number;
  /** The input shapes whose declared output shape and parameters were checked, `input` first. */
  checkedInputs: number[][];
  /** Declared and measured MACs per image at `input` (absent with `macs: 'skip'`). */
  macs?: MacsReport;
}

/**
 * Checks a layer end to end on the active backend:
 * 1. the declared output shape (`outputShape`, from shapes alone) equals the computed one, for `input`
 *    and for `extraInputs` (by default `input` at twice the height and width);
 * 2. the declared trainable and non-trainable parameter counts (what `summary()` shows) equal the sizes
 *    of the weights `build` creates, at every input checked;
 * 3. every trainable weight gets a finite gradient that matches finite differences and is non-zero for
 *    at least one of a few inputs (a batch where a small ReLU bottleneck is dead does not fail a layer);
 * 4. `fromJSON(toJSON(layer))` rebuilds a layer with the same JSON and, with the same seed, the same output;
 * 5. the same seed gives the same weights and output;
 * 6. the declared MACs equal (`macs: 'exact'`) or do not exceed (`'atMost'`, the default) the multiply-adds
 *    the ops of one forward pass at batch 1 make, counted by profiling its kernels ({@link measureMacs});
 *    at every input checked;
 * 7. no tensor leaks.
 *
 * @example
 * ```ts
 * await runLayerTest(() => new Conv2d({ filters: 4, kernel: 3 }), { input: [8, 8, 3], macs: 'exact' });
 * // and at 5×7 as well as the default 16×16:
 * await runLayerTest(() => new Conv2d({ filters: 4, kernel: 3 }), { input: [8, 8, 3], extraInputs: [[5, 7, 3], [16, 16, 3]] });
 * ```
 */
export async function runLayerTest(make: () => Layer, options: LayerTestOptions): Promise<LayerTestReport> {
  const { input, batch = 2, seed = 1, training = false, rtol = 5e-2, atol = 2e-3, samples = 4 } = options;
  const macs = options.macs ?? 'atMost';
  // Given extra inputs must work; the doubled default is skipped where the layer's geometry rejects it.
  const extraInputs = options.extraInputs ?? acceptedInputs(make, defaultExtraInputs(input));
  const before = tf.memory().numTensors;
  const layer = make();
  const name = layer.name;
  const declared = layer.outputShape(input);
  layer.build(input, { seed });
  const macsReport = await checkMacs(layer, input, macs);
  const [x, ...others] = probeInputs([batch, ...input], seed);
  const apply = (l: Layer) => l.apply(x, { training, seed: 3 });

  const y = apply(layer);
  const computed = y.shape.slice(1);
  if (computed.join() !== declared.join()) {
    fail(name, 'output shape', `declared [${declared.join(', ')}], computed [${computed.join(', ')}]`);
  }
  const expected = await values(y);

  const r = tf.randomUniform(y.shape, 0.5, 1.5, 'float32', seed + 11);
  y.dispose();
  const objectives = objectivesOf(layer, [x, ...others], r, training);
  await checkParameters(layer, input, objectives);
  const checked = await checkGradients(layer, objectives, { rtol, atol, samples });
  tf.dispose([r, ...others]);

  await checkRoundTrip(layer, input, seed, apply, expected);
  const weights = layer.namedWeights().map(([weightName]) => weightName);
  layer.dispose();
  x.dispose();
  for (const extra of extraInputs) await checkOutputShapeAt(make, extra, { batch, seed, training, macs });
  const leaked = tf.memory().numTensors - before;
  if (leaked !== 0) fail(name, 'no leaks', `${leaked} tensors left behind`);
  return {
    outputShape: computed,
    weights,
    checkedGradients: checked,
    checkedInputs: [[...input], ...extraInputs.map((s) => [...s])],
    ...(macsReport ? { macs: macsReport } : {}),
  };
}
