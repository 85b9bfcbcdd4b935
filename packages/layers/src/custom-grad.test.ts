import { initBackend } from '@convkit/backend';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { customGrad1 } from './custom-grad.js';

beforeAll(async () => {
  await initBackend('cpu');
});

describe('customGrad1', () => {
  it('uses the given gradient, not the one of the ops inside, and hands it what save kept', async () => {
    // value x², gradient declared as 3·x·dy (the true one is 2·x·dy): the tape must take ours.
    const f = customGrad1((x, save) => {
      save([x]);
      return { value: tf.square(x), gradFunc: (dy, [saved]) => tf.mul(dy, tf.mul(3, saved as tf.Tensor)) };
    });
    const x = tf.tensor1d([1, -2, 0.5]);
    const y = f(x);
    const dx = tf.grad((t: tf.Tensor) => tf.sum(f(t)))(x);
    expect(Array.from(await y.data())).toEqual([1, 4, 0.25]);
    expect(Array.from(await dx.data())).toEqual([3, -6, 1.5]);
    tf.dispose([x, y, dx]);
  });
});
