// The bench workloads' loss (@convkit/workloads' `loss`): convkit's fused
// softmax cross-entropy where the backend registers it (native, wasm), tfjs'
// formula elsewhere. Either way a LeNet-5 batch gets tfjs' loss and weight
// gradients, so a bench row trains on the same loss whichever ran.

import { batchFor, lenet5, loss } from '@convkit/workloads';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { backendsUnderTest, use } from './harness.js';

const backends = await backendsUnderTest();
const FUSED = 'ConvkitSoftmaxCrossEntropy';

describe("the workloads' loss vs tfjs' losses.softmaxCrossEntropy", () => {
  it.each(backends)(
    '%s: the same LeNet-5 loss and weight gradients',
    async (name) => {
      await use(name);
      const net = lenet5(4);
      const { x, y } = batchFor(net, 32, 9);
      const mine = tf.variableGrads(() => loss(net, x, y), net.variables);
      const theirs = tf.variableGrads(
        () => tf.losses.softmaxCrossEntropy(y, net.forward(x)) as tf.Scalar,
        net.variables,
      );
      const [a, b] = [(await mine.value.data())[0] as number, (await theirs.value.data())[0] as number];
      expect(Math.abs(a - b) / b).toBeLessThan(1e-6);
      let worst = 0;
      for (const v of net.variables) {
        const [g, h] = [
          await (mine.grads[v.name] as tf.Tensor).data(),
          await (theirs.grads[v.name] as tf.Tensor).data(),
        ];
        const scale = Math.max(...Array.from(h, Math.abs));
        g.forEach((value, i) => {
          worst = Math.max(worst, Math.abs(value - (h[i] as number)) / scale);
        });
      }
      expect(worst).toBeLessThan(1e-5);
      const profile = await tf.profile(() => loss(net, x, y));
      const fused = profile.kernels.some((k) => k.name === FUSED);
      expect(fused).toBe(name === 'native' || name === 'wasm');
      tf.dispose([mine.value, theirs.value, ...Object.values(mine.grads), ...Object.values(theirs.grads), x, y]);
      net.dispose();
    },
    300_000,
  );
});
