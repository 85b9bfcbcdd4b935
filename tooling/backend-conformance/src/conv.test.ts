import { hasTestdata, loadManifest, readInitializers, readTestTensor, type Suite } from '@convkit/testdata';
import * as tf from '@tensorflow/tfjs-core';
import { beforeEach, describe, it } from 'vitest';
import {
  backendsUnderTest,
  expectClose,
  expectGradientMatchesNumeric,
  expectNoLeaks,
  expectSameAsCpu,
  fromOnnx,
  use,
} from './harness.js';
import { conv } from './onnx-ops.js';

const backends = await backendsUnderTest();
const data = hasTestdata();

/** Every 2-D ONNX Conv case: the free inputs and the weights from the model. */
function convCases() {
  if (!data) return [];
  const suites: Suite[] = ['onnx-node', 'onnx-pytorch-converted', 'onnx-pytorch-operator'];
  return suites.flatMap((suite) =>
    loadManifest(suite)
      .filter((t) => t.nodes.length === 1 && t.nodes[0]?.op === 'Conv' && t.inputs[0]?.shape.length === 4)
      .map((t) => ({
        suite,
        test: t.test,
        node: t.nodes[0] as NonNullable<(typeof t.nodes)[0]>,
        inputs: t.inputs.length,
      })),
  );
}

function loadConv(c: ReturnType<typeof convCases>[number]) {
  const weights = readInitializers(c.suite, c.test);
  const named = (index: number) => {
    const name = c.node.inputs[index];
    if (!name) return undefined;
    const stored = weights.get(name);
    if (stored) return stored;
    const free = c.node.inputs.slice(0, index + 1).filter((n) => !weights.has(n)).length - 1;
    return free < c.inputs ? readTestTensor(c.suite, c.test, 'input', free) : undefined;
  };
  const x = fromOnnx(readTestTensor(c.suite, c.test, 'input', 0)) as tf.Tensor4D;
  const w = fromOnnx(named(1) as NonNullable<ReturnType<typeof named>>, 'flat') as tf.Tensor4D;
  const b = named(2);
  const expected = fromOnnx(readTestTensor(c.suite, c.test, 'output', 0));
  return { x, w, b: b ? (fromOnnx(b) as tf.Tensor1D) : undefined, expected };
}

describe.each(backends)('conv on %s', (name) => {
  beforeEach(() => use(name));

  describe.skipIf(!data)('ONNX Conv data (forward)', () => {
    it.each(convCases().map((c) => [`${c.suite}/${c.test}`, c] as const))('%s', async (_, c) => {
      await expectNoLeaks(async () => {
        const { x, w, b, expected } = loadConv(c);
        const y = conv(x, w, b, c.node.attrs);
        await expectClose(y, expected, 1e-3, 1e-4);
        tf.dispose([x, w, b, expected, y].filter((t) => t !== undefined));
      });
    });
  });

  const geometries = [
    { label: 'stride 1, same', stride: 1, pad: 'same', dilation: 1 },
    { label: 'stride 2, valid', stride: 2, pad: 'valid', dilation: 1 },
    {
      label: 'stride 2, explicit asymmetric',
      stride: 2,
      pad: [
        [0, 0],
        [1, 0],
        [0, 2],
        [0, 0],
      ],
      dilation: 1,
    },
    { label: 'dilation 2, same', stride: 1, pad: 'same', dilation: 2 },
  ] as const;

  it.each(geometries)('conv2d gradients match finite differences: $label', async (g) => {
    await expectNoLeaks(async () => {
      const x = tf.randomNormal([2, 7, 6, 3], 0, 1, 'float32', 1);
      const w = tf.randomNormal([3, 3, 3, 4], 0, 0.5, 'float32', 2);
      const run = (xi: tf.Tensor, wi: tf.Tensor) =>
        tf.conv2d(xi as tf.Tensor4D, wi as tf.Tensor4D, g.stride, g.pad as never, 'NHWC', g.dilation);
      await expectGradientMatchesNumeric((xi) => run(xi, w), x);
      await expectGradientMatchesNumeric((wi) => run(x, wi), w);
      tf.dispose([x, w]);
    });
  });

  it('depthwise conv2d gradients match finite differences (multiplier 2, stride 2)', async () => {
    await expectNoLeaks(async () => {
      const x = tf.randomNormal([2, 6, 5, 3], 0, 1, 'float32', 3);
      const w = tf.randomNormal([3, 3, 3, 2], 0, 0.5, 'float32', 4);
      const run = (xi: tf.Tensor, wi: tf.Tensor) => tf.depthwiseConv2d(xi as tf.Tensor4D, wi as tf.Tensor4D, 2, 'same');
      await expectGradientMatchesNumeric((xi) => run(xi, w), x);
      await expectGradientMatchesNumeric((wi) => run(x, wi), w);
      tf.dispose([x, w]);
    });
  });

  it('agrees with cpu on conv gradients at a LeNet-sized layer', async () => {
    await expectSameAsCpu(
      [
        { shape: [8, 14, 14, 6], seed: 5 },
        { shape: [5, 5, 6, 16], seed: 6, scale: 0.2 },
        { shape: [8, 10, 10, 16], seed: 7 },
      ],
      (x, w, dy) =>
        tf.grads((xi: tf.Tensor, wi: tf.Tensor) =>
          tf.sum(tf.mul(tf.conv2d(xi as tf.Tensor4D, wi as tf.Tensor4D, 1, 'valid'), dy as tf.Tensor)),
        )([x as tf.Tensor, w as tf.Tensor]),
    );
  });
});
