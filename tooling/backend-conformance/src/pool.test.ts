import * as tf from '@tensorflow/tfjs-core';
import { beforeEach, describe, it } from 'vitest';
import {
  backendsUnderTest,
  distinctValues,
  expectClose,
  expectGradientMatchesNumeric,
  expectNoLeaks,
  expectSameAsCpu,
  fromOnnx,
  use,
} from './harness.js';
import { onnxCases } from './onnx-cases.js';
import { pool } from './onnx-ops.js';

const backends = await backendsUnderTest();

// Cases that a 2-D float pooling layer does not have: uint8 data, and a
// dilated window with padding (1000×1000, 60×80 dilated by 10), which tfjs'
// pooling ops cannot express.
const unsupported = new Set(['test_maxpool_2d_uint8', 'test_MaxPool2d_stride_padding_dilation']);
const is2d = (c: { inputs: ({ dims: number[] } | undefined)[]; test: string }) =>
  c.inputs[0]?.dims.length === 4 && !unsupported.has(c.test);
const cases = [...onnxCases('MaxPool', is2d), ...onnxCases('AveragePool', is2d)];

describe.each(backends)('pooling on %s', (name) => {
  beforeEach(() => use(name));

  it.each(cases)('ONNX %s (forward)', async (_, c) => {
    await expectNoLeaks(async () => {
      const x = fromOnnx(c.inputs[0] as NonNullable<(typeof c.inputs)[0]>) as tf.Tensor4D;
      const expected = fromOnnx(c.outputs[0] as NonNullable<(typeof c.outputs)[0]>);
      const y = pool(x, c.node.op as 'MaxPool' | 'AveragePool', c.node.attrs);
      await expectClose(y, expected);
      tf.dispose([x, expected, y]);
    });
  });

  it.each([
    { op: 'max', kernel: 2, stride: 2, pad: 'valid' },
    { op: 'max', kernel: 3, stride: 2, pad: 'same' },
    { op: 'avg', kernel: 2, stride: 2, pad: 'valid' },
    { op: 'avg', kernel: 3, stride: 1, pad: 'same' },
  ] as const)('$op pool $kernel×$kernel/$stride $pad gradients match finite differences', async (g) => {
    await expectNoLeaks(async () => {
      const x = distinctValues([2, 6, 6, 2], 3);
      const run = (xi: tf.Tensor) =>
        g.op === 'max'
          ? tf.maxPool(xi as tf.Tensor4D, g.kernel, g.stride, g.pad)
          : tf.avgPool(xi as tf.Tensor4D, g.kernel, g.stride, g.pad);
      await expectGradientMatchesNumeric(run, x);
      x.dispose();
    });
  });

  it('routes the max-pool gradient to each window maximum when every value is negative', async () => {
    await expectNoLeaks(async () => {
      // 12×12 all negative: the case where stock wasm got 37 of 144 gradients wrong.
      const values = Array.from({ length: 144 }, (_, i) => -1 - ((i * 37) % 144) / 10);
      const x = tf.tensor4d(values, [1, 12, 12, 1]);
      const dx = tf.grad((xi: tf.Tensor) => tf.sum(tf.maxPool(xi as tf.Tensor4D, 2, 2, 'valid')))(x);
      const expected = new Float32Array(144);
      for (let by = 0; by < 6; by++)
        for (let bx = 0; bx < 6; bx++) {
          let best = -1;
          for (const [dy, dxx] of [
            [0, 0],
            [0, 1],
            [1, 0],
            [1, 1],
          ] as const) {
            const i = (2 * by + dy) * 12 + 2 * bx + dxx;
            if (best < 0 || (values[i] as number) > (values[best] as number)) best = i;
          }
          expected[best] = 1;
        }
      await expectClose(dx, expected, 0, 0);
      tf.dispose([x, dx]);
    });
  });

  it('agrees with cpu on pooling gradients at AlexNet-like geometry (3×3 stride 2)', async () => {
    await expectSameAsCpu([{ shape: [2, 13, 13, 8], seed: 21 }], (x) => [
      tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(xi as tf.Tensor4D, 3, 2, 'valid'), 1.5)))(x as tf.Tensor),
      tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(tf.avgPool(xi as tf.Tensor4D, 3, 2, 'same'), 1.5)))(x as tf.Tensor),
    ]);
  });
});
