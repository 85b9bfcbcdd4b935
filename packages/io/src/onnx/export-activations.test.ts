import { initBackend } from '@convkit/backend';
import { Activation, type ActivationName, Conv2d, Dense, Flatten, sequential } from '@convkit/layers';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { runOnnx } from '../../test/ort.js';
import { maxAbsDiff, randomizeWeights, uniform } from '../../test/random.js';
import { exportOnnx } from './export.js';

// The activations with no single ONNX op at opset 13 (swish, GELU, Mish, hard-swish) are written as a few
// standard nodes; onnxruntime-node runs the graph and must compute what convkit computes.

beforeAll(async () => {
  await initBackend('cpu');
});

const NEW: ActivationName[] = ['swish', 'silu', 'gelu', 'geluTanh', 'mish', 'hardSwish', 'hardSigmoid'];

describe('exported activations compute what convkit computes (onnxruntime-node)', () => {
  it.each(NEW)('%s, as a layer and fused into a dense layer', async (fn) => {
    const input: [number, number, number] = [3, 4, 2];
    // A 1×1 conv scales the input to about ±4, past hard-swish's and hard-sigmoid's bends at ±3.
    const model = sequential([
      new Conv2d({ filters: 3, kernel: 1 }),
      new Activation({ fn }),
      new Flatten(),
      new Dense({ units: 4, activation: fn }),
    ]).build(input, { seed: 1 });
    randomizeWeights(model, 5);
    const x = uniform(2 * 3 * 4 * 2, 9, 4);
    const y = tf.tidy(() => model.apply(tf.tensor(x, [2, ...input])));
    const want = (await y.data()) as Float32Array;
    y.dispose();
    const got = await runOnnx(await exportOnnx(model, { input }), x, [2, ...input]);
    expect(got.dims).toEqual([2, 4]);
    expect(maxAbsDiff(got.data, want)).toBeLessThan(1e-5);
    model.dispose();
  });
});
