import * as tf from '@tensorflow/tfjs-core';
import { beforeEach, describe, it } from 'vitest';
import {
  awayFromZero,
  backendsUnderTest,
  expectClose,
  expectGradientMatchesNumeric,
  expectNoLeaks,
  expectSameAsCpu,
  fromOnnx,
  use,
} from './harness.js';
import { type OnnxCase, onnxCases } from './onnx-cases.js';

const backends = await backendsUnderTest();

type Attrs = Record<string, unknown>;

/** Softmax over one axis: tfjs reduces the last axis, so move `axis` there and back. */
function alongAxis(x: tf.Tensor, axis: number, f: (t: tf.Tensor) => tf.Tensor): tf.Tensor {
  const rank = x.rank;
  const a = axis < 0 ? axis + rank : axis;
  if (a === rank - 1) return f(x);
  const perm = [...Array(rank).keys()].filter((d) => d !== a).concat(a);
  const inverse = perm.map((_, i) => perm.indexOf(i));
  return tf.transpose(f(tf.transpose(x, perm)), inverse);
}

/** ONNX activation → tfjs op, where tfjs has the same function (defaults of ELU/SELU only). */
const OPS: Record<
  string,
  { run: (x: tf.Tensor, attrs: Attrs, extra?: tf.Tensor) => tf.Tensor; keep?: (a: Attrs) => boolean }
> = {
  Relu: { run: (x) => tf.relu(x) },
  LeakyRelu: { run: (x, a) => tf.leakyRelu(x, Number(a.alpha ?? 0.01)) },
  Elu: { run: (x) => tf.elu(x), keep: (a) => a.alpha === undefined || a.alpha === 1 },
  Selu: { run: (x) => tf.selu(x), keep: (a) => a.alpha === undefined && a.gamma === undefined },
  Sigmoid: { run: (x) => tf.sigmoid(x) },
  Tanh: { run: (x) => tf.tanh(x) },
  Softplus: { run: (x) => tf.softplus(x) },
  // ONNX opset 6 (PyTorch's export) gives one slope per channel of NC… data: align it with axis 1.
  PRelu: {
    run: (x, _, slope) => {
      const s = slope as tf.Tensor;
      const perChannel = s.rank === 1 && x.rank > 2 && s.size === x.shape[1] && s.size !== x.shape[x.rank - 1];
      return tf.prelu(x, perChannel ? tf.reshape(s, [s.size, ...Array(x.rank - 2).fill(1)]) : s);
    },
  },
  Softmax: { run: (x, a) => alongAxis(x, Number(a.axis ?? -1), (t) => tf.softmax(t)) },
  LogSoftmax: { run: (x, a) => alongAxis(x, Number(a.axis ?? -1), (t) => tf.logSoftmax(t)) },
};

const cases: [string, OnnxCase][] = Object.entries(OPS).flatMap(([op, { keep }]) =>
  onnxCases(op, (c) => c.inputs[0]?.dataType === 1 && (keep?.(c.node.attrs) ?? true)),
);

describe.each(backends)('activations on %s', (name) => {
  beforeEach(() => use(name));

  it.each(cases)('ONNX %s (forward)', async (_, c) => {
    await expectNoLeaks(async () => {
      const [x, slope] = c.inputs.map((t) => (t ? fromOnnx(t, 'flat') : undefined));
      const expected = fromOnnx(c.outputs[0] as NonNullable<(typeof c.outputs)[0]>, 'flat');
      const op = OPS[c.node.op] as (typeof OPS)[string];
      const y = tf.tidy(() => op.run(x as tf.Tensor, c.node.attrs, slope));
      await expectClose(y, expected, 1e-3, 1e-5);
      tf.dispose([x, slope, expected, y].filter((t): t is tf.Tensor => t !== undefined));
    });
  });

  const elementwise: [string, (x: tf.Tensor) => tf.Tensor][] = [
    ['relu', (x) => tf.relu(x)],
    ['relu6', (x) => tf.relu6(tf.mul(x, 4))],
    ['leakyRelu', (x) => tf.leakyRelu(x, 0.1)],
    ['elu', (x) => tf.elu(x)],
    ['selu', (x) => tf.selu(x)],
    ['sigmoid', (x) => tf.sigmoid(x)],
    ['tanh', (x) => tf.tanh(x)],
    ['softplus', (x) => tf.softplus(x)],
    ['softmax', (x) => tf.softmax(x)],
    ['logSoftmax', (x) => tf.logSoftmax(x)],
  ];

  it.each(elementwise)('%s gradient matches finite differences', async (_, f) => {
    await expectNoLeaks(async () => {
      const x = awayFromZero([3, 7], 61);
      await expectGradientMatchesNumeric(f, x);
      x.dispose();
    });
  });

  it('prelu gradients (input and slope) match finite differences', async () => {
    await expectNoLeaks(async () => {
      const x = awayFromZero([2, 3, 3, 4], 71);
      const alpha = tf.tensor1d([0.1, 0.25, -0.5, 2]);
      await expectGradientMatchesNumeric((xi) => tf.prelu(xi, alpha), x);
      await expectGradientMatchesNumeric((a) => tf.prelu(x, a), alpha);
      tf.dispose([x, alpha]);
    });
  });

  it('agrees with cpu on activation gradients over a feature map', async () => {
    await expectSameAsCpu([{ shape: [2, 8, 8, 16], seed: 81, scale: 2 }], (x) =>
      elementwise.map(([, f]) => tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(f(xi), xi)))(x as tf.Tensor)),
    );
  });
});
