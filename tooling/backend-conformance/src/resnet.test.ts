// The zoo's residual blocks on every backend: each passes runLayerTest
// (declared shapes, parameters and MACs, gradients against finite
// differences, JSON round trip, seeded weights, no leaks) and computes the
// outputs and weight gradients cpu computes, in training mode (batch
// statistics) as when a ResNet trains.
import type { Shape } from '@convkit/layers';
import { type Layer, walkLayers } from '@convkit/layers';
import { runLayerTest } from '@convkit/layers/testing';
import { getModel } from '@convkit/zoo';
import * as tf from '@tensorflow/tfjs-core';
import { beforeEach, describe, expect, it } from 'vitest';
import { backendsUnderTest, expectNoLeaks, expectSameAsCpu, use } from './harness.js';

const backends = await backendsUnderTest();

/** A fresh, unbuilt copy of the block `name` of a zoo model, each call. */
function blockOf(model: string, name: string): () => Layer {
  return () => {
    const found = walkLayers(getModel(model, { numClasses: 10 })).find((v) => v.layer.name === name);
    if (!found) throw new Error(`${model} has no layer ${name}`);
    return found.layer;
  };
}

interface BlockCase {
  what: string;
  make: () => Layer;
  input: Shape;
  output: number[];
}

// Small maps: the blocks keep their real widths (64 → 128, 256 → 512 channels).
const cases: BlockCase[] = [
  { what: 'ResNet-18 basic block, identity (layer1/0)', make: blockOf('resnet18', 'layer1/0'), input: [2, 2, 64], output: [2, 2, 64] },
  { what: 'ResNet-18 basic block, projection /2 (layer2/0)', make: blockOf('resnet18', 'layer2/0'), input: [2, 2, 64], output: [1, 1, 128] },
  { what: 'ResNet-50 bottleneck, identity (layer1/1)', make: blockOf('resnet50', 'layer1/1'), input: [1, 1, 256], output: [1, 1, 256] },
  { what: 'ResNet-50 bottleneck, projection /2 (layer2/0)', make: blockOf('resnet50', 'layer2/0'), input: [2, 2, 256], output: [1, 1, 512] },
  { what: 'ResNet-20 basic block, option A shortcut /2 (layer2/0)', make: blockOf('resnet20', 'layer2/0'), input: [3, 3, 16], output: [2, 2, 32] },
]; // biome-ignore format: one block per line

/**
 * runLayerTest's objective is Σ output·r with r ∈ [0.5, 1.5], about as large as the output is long, and its finite
 * differences divide a float32 change of that sum by 1e-3: with N outputs one ulp is worth about N·1e-4 of
 * gradient, and wasm's and webgpu's sums round differently from one evaluation to the next: four ulps is the
 * absolute tolerance; the exact comparison is the next test's, against cpu.
 */
const resolution = (output: number[]) => 4e-4 * output.reduce((a, b) => a * b, 1);

describe.each(backends)('ResNet blocks on %s', (name) => {
  beforeEach(() => use(name));

  it.each(cases)(
    '$what passes runLayerTest',
    async ({ make, input, output }) => {
      const report = await runLayerTest(make, { input, extraInputs: [], batch: 1, atol: resolution(output) });
      expect(report.outputShape).toEqual(output);
      expect(report.checkedGradients).toBeGreaterThan(0);
    },
    180_000,
  );

  it.each(cases)(
    '$what gives the outputs and every weight gradient cpu gives (inference; training mode, batch statistics)',
    async ({ make, input }) => {
      // Twice the side: batch statistics over at least 2·2·2 values, so the training-mode gradient is well conditioned.
      const [h, w, c] = input as [number, number, number];
      const side: Shape = [2 * h, 2 * w, c];
      await expectNoLeaks(() =>
        expectSameAsCpu(
          [
            { shape: [2, ...side], seed: 5 },
            { shape: [2, ...make().outputShape(side)], seed: 6 },
          ],
          (x, r) => {
            const block = make();
            block.build(side, { seed: 3 });
            const trainable = block.weights().filter((v) => v.trainable);
            const inference = block.apply(x);
            const objective = () => tf.sum(tf.mul(block.apply(x, { training: true }), r as tf.Tensor)) as tf.Scalar;
            const { value, grads } = tf.variableGrads(objective, trainable);
            const ys = [inference, value, ...trainable.map((v) => grads[v.name] as tf.Tensor)];
            block.dispose();
            return ys;
          },
        ),
      );
    },
    180_000,
  );
});
