import { initBackend } from '@convkit/backend';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { customGrad1 } from '../custom-grad.js';
import { Dense } from '../dense.js';
import { runLayerTest } from './index.js';

// The harness must fail a broken layer, naming the check: a harness that passes everything checks nothing.

/** Doubles its input in the forward pass but claims the gradient of the identity: weights before it get half their gradient. */
const doubledWithWrongGradient = customGrad1((x) => ({ value: tf.mul(x, 2), gradFunc: (dy) => dy }));

class WrongGradient extends Dense {
  protected override call(x: tf.Tensor): tf.Tensor {
    return doubledWithWrongGradient(super.call(x));
  }
}

class WrongShape extends Dense {
  protected override call(x: tf.Tensor): tf.Tensor {
    const y = super.call(x);
    return tf.concat([y, y], 1);
  }
}

describe('runLayerTest', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('passes a correct layer and reports what it checked', async () => {
    const report = await runLayerTest(() => new Dense({ name: 'fc', units: 3 }), { input: [4] });
    // Four sampled elements of the 4×3 kernel, all three of the bias.
    expect(report).toEqual({
      outputShape: [3],
      weights: ['fc/kernel', 'fc/bias'],
      checkedGradients: 7,
      checkedInputs: [[4]],
    });
  });

  it('fails a layer whose output differs from its declared shape', async () => {
    await expect(runLayerTest(() => new WrongShape({ name: 'wide', units: 3 }), { input: [4] })).rejects.toThrow(
      'runLayerTest(wide): output shape: declared [3], computed [6]',
    );
  });

  it('fails a layer whose gradient disagrees with finite differences', async () => {
    await expect(runLayerTest(() => new WrongGradient({ name: 'liar', units: 3 }), { input: [4] })).rejects.toThrow(
      /^runLayerTest\(liar\): finite differences: liar\/kernel\[\d+\]: gradient -?[\d.]+, finite difference/,
    );
  });
});
