import { add, channelShuffle, channelSlice, multiply, sequential, shortcut } from '@convkit/layers';
import * as tf from '@tensorflow/tfjs-core';
import { beforeEach, describe, it } from 'vitest';
import { backendsUnderTest, expectClose, expectNoLeaks, expectSameAsCpu, fromOnnx, use } from './harness.js';
import { type OnnxCase, onnxCases } from './onnx-cases.js';

// The residual and ShuffleNet layers (add, multiply, channelShuffle, channelSlice, shortcut) on every backend:
// ONNX's Add and Sum node tests through the Add layer, and each layer's output and input gradient against cpu.

const backends = await backendsUnderTest();

// Add's broadcast case (test_add_bcast, y [5] over x [3, 4, 5]) is not a residual: the Add layer takes equal shapes.
const sameShapes = (c: OnnxCase) => c.inputs.every((t) => t?.dims.join() === c.outputs[0]?.dims.join());
const cases = [...onnxCases('Add', sameShapes), ...onnxCases('Sum', sameShapes)];

/**
 * The node's k inputs as the k channels of one `[1, 1, size, k]` tensor, and an Add layer whose
 * branch j keeps channel j: the sum of the branches is the sum of the inputs.
 */
function asBranches(c: OnnxCase) {
  const x = tf.tidy(() =>
    tf.concat(
      c.inputs.map((t) => tf.reshape(fromOnnx(t as NonNullable<typeof t>, 'flat'), [1, 1, -1, 1])),
      3,
    ),
  );
  const layer = add(c.inputs.map((_, j) => channelSlice({ begin: j, size: 1 })));
  layer.build(x.shape.slice(1));
  return { x, layer };
}

/** Every new layer on a small map, and a scalar of its output for the input gradient. */
const LAYERS = [
  ['add', () => add([sequential([channelSlice({ begin: 0, size: 4 })]), channelSlice({ begin: 4, size: 4 })])],
  ['multiply', () => multiply([channelSlice({ begin: 0, size: 4 }), channelSlice({ begin: 4, size: 4 })])],
  ['channelShuffle', () => channelShuffle({ groups: 4 })],
  ['channelSlice', () => channelSlice({ begin: 2, size: 5 })],
  ['shortcut', () => shortcut({ stride: 2, filters: 12 })],
] as const;

describe.each(backends)('merge and shuffle layers on %s', (name) => {
  beforeEach(() => use(name));

  it.each(cases)('ONNX %s through the Add layer (forward)', async (_, c) => {
    await expectNoLeaks(async () => {
      const { x, layer } = asBranches(c);
      const expected = fromOnnx(c.outputs[0] as NonNullable<(typeof c.outputs)[0]>, 'flat');
      const y = tf.tidy(() => tf.reshape(layer.apply(x), expected.shape));
      await expectClose(y, expected, 1e-3, 1e-5);
      tf.dispose([x, y, expected]);
      layer.dispose();
    });
  });

  it.each(LAYERS)('%s: output and input gradient as on cpu', async (_, make) => {
    await expectNoLeaks(async () => {
      await expectSameAsCpu([{ shape: [2, 5, 5, 8], seed: 91 }], (x) => {
        const layer = make();
        layer.build(x.shape.slice(1));
        const weights = tf.randomNormal(layer.outputShape(x.shape.slice(1)), 0, 1, 'float32', 92);
        const y = layer.apply(x);
        const dx = tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(layer.apply(xi), weights)))(x);
        weights.dispose();
        layer.dispose();
        return [y, dx];
      });
    });
  });
});
