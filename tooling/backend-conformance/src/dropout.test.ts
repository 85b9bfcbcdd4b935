import * as tf from '@tensorflow/tfjs-core';
import { beforeEach, describe, expect, it } from 'vitest';
import { backendsUnderTest, expectNoLeaks, use } from './harness.js';

const backends = await backendsUnderTest();

describe.each(backends)('dropout on %s', (name) => {
  beforeEach(() => use(name));

  it('keeps each unit with probability 1 − rate, scaled by 1/(1 − rate), seeded', async () => {
    await expectNoLeaks(async () => {
      const rate = 0.5;
      const x = tf.randomUniform([64, 64], 1, 2, 'float32', 111);
      const y = tf.dropout(x, rate, undefined, 7);
      const again = tf.dropout(x, rate, undefined, 7);
      const [xs, ys, ys2] = await Promise.all([x.data(), y.data(), again.data()]);
      let kept = 0;
      ys.forEach((v, i) => {
        if (v !== 0) {
          kept++;
          expect(v).toBeCloseTo((xs[i] as number) / (1 - rate), 5);
        }
      });
      // 4,096 Bernoulli(0.5) trials: 6 standard deviations is ±192.
      expect(Math.abs(kept - 2048)).toBeLessThan(192);
      expect(Array.from(ys2)).toEqual(Array.from(ys));
      tf.dispose([x, y, again]);
    });
  });

  it('passes the gradient through kept units only, scaled the same way', async () => {
    await expectNoLeaks(async () => {
      const x = tf.randomUniform([32, 32], 1, 2, 'float32', 112);
      const [y, dx] = tf.tidy(() => {
        const dropped = tf.dropout(x, 0.25, undefined, 9);
        return [dropped, tf.grad((xi: tf.Tensor) => tf.sum(tf.dropout(xi, 0.25, undefined, 9)))(x)];
      });
      const [ys, dxs] = await Promise.all([(y as tf.Tensor).data(), (dx as tf.Tensor).data()]);
      ys.forEach((v, i) => {
        expect(dxs[i]).toBeCloseTo(v === 0 ? 0 : 1 / 0.75, 5);
      });
      tf.dispose([x, y as tf.Tensor, dx as tf.Tensor]);
    });
  });
});
