import { initBackend } from '@convkit/backend';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Activation, type ActivationName, activate } from './activation.js';
import { Dense } from './dense.js';
import { runLayerTest } from './testing/index.js';

// The activations added for issue 18, against values computed by hand (Python's math.erf, math.tanh,
// math.log1p in float64) at -2, -1, 0, 0.5, 1, 2; gradients against finite differences by runLayerTest.

const POINTS = [-2, -1, 0, 0.5, 1, 2];

const EXPECTED: [ActivationName, number[]][] = [
  // x·Φ(x) = x/2·(1 + erf(x/√2)); GELU(1) = 0.841344746…
  [
    'gelu',
    [-0.04550026389635842, -0.15865525393145707, 0, 0.34573123063700656, 0.8413447460685429, 1.9544997361036416],
  ],
  // x/2·(1 + tanh(√(2/π)·(x + 0.044715·x³))), PyTorch's approximate='tanh'
  [
    'geluTanh',
    [-0.04540230591222494, -0.15880800939172324, 0, 0.34571400982514394, 0.8411919906082768, 1.954597694087775],
  ],
  // x·σ(x); SiLU(1) = 0.731058578…
  ['swish', [-0.2384058440442351, -0.2689414213699951, 0, 0.3112296656009273, 0.7310585786300049, 1.7615941559557646]],
  ['silu', [-0.2384058440442351, -0.2689414213699951, 0, 0.3112296656009273, 0.7310585786300049, 1.7615941559557646]],
  // x·tanh(ln(1 + eˣ)); Mish(1) = 0.865098…
  ['mish', [-0.2525014826957089, -0.30340146137410895, 0, 0.3752452113048951, 0.8650983882673103, 1.9439589595339946]],
  // x·relu6(x + 3)/6: -2·1/6, -1·2/6, 0, 0.5·3.5/6, 1·4/6, 2·5/6
  ['hardSwish', [-1 / 3, -1 / 3, 0, 1.75 / 6, 2 / 3, 5 / 3]],
  // relu6(x + 3)/6
  ['hardSigmoid', [1 / 6, 2 / 6, 0.5, 3.5 / 6, 4 / 6, 5 / 6]],
];

describe('swish/SiLU, GELU, Mish, hard-swish, hard-sigmoid', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it.each(EXPECTED)('%s at -2, -1, 0, 0.5, 1, 2', async (fn, expected) => {
    const y = tf.tidy(() => activate(fn, tf.tensor1d(POINTS)));
    const got = Array.from(await y.data());
    y.dispose();
    for (const [i, value] of got.entries()) expect(value).toBeCloseTo(expected[i] as number, 6);
  });

  it('hard-swish and hard-sigmoid saturate beyond ±3', async () => {
    const x = [-5, -3, 3, 5];
    const swish = tf.tidy(() => activate('hardSwish', tf.tensor1d(x)));
    const sigmoid = tf.tidy(() => activate('hardSigmoid', tf.tensor1d(x)));
    // + 0 turns -5·0 = -0 into 0.
    expect(Array.from(await swish.data(), (v) => v + 0)).toEqual([0, 0, 3, 5]);
    expect(Array.from(await sigmoid.data())).toEqual([0, 0, 1, 1]);
    tf.dispose([swish, sigmoid]);
  });

  it.each(EXPECTED.map(([fn]) => fn))('%s passes runLayerTest (gradients against finite differences)', async (fn) => {
    const report = await runLayerTest(() => new Activation({ fn }), { input: [4, 4, 3] });
    expect(report.outputShape).toEqual([4, 4, 3]);
    // Inside a dense layer, so the finite-difference check runs through the activation's gradient.
    const dense = await runLayerTest(() => new Dense({ units: 3, activation: fn }), { input: [5] });
    expect(dense.checkedGradients).toBeGreaterThan(0);
  });

  it('an unknown name lists the new activations', () => {
    expect(() => new Activation({ fn: 'gelu_new' as ActivationName })).toThrow(
      /unknown activation "gelu_new": use .*swish, silu, gelu, geluTanh, mish, hardSwish, hardSigmoid/,
    );
  });
});
