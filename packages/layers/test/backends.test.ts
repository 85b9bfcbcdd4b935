// Every layer through runLayerTest on each backend this machine has: wasm,
// and WebGPU where a Vulkan driver exists (in CI, SwiftShader) — the same
// harness the cpu tests use, so shapes, gradients (finite differences),
// serialization and leaks are checked on every backend.
import { type BackendName, initBackend } from '@convkit/backend';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Activation } from '../src/activation.js';
import { ChannelPool, Maxout } from '../src/channel-pool.js';
import { concat } from '../src/concat.js';
import { Conv2d } from '../src/conv.js';
import { Dense, Flatten } from '../src/dense.js';
import { Dropout } from '../src/dropout.js';
import { GlobalPool2d } from '../src/global-pool.js';
import type { Layer } from '../src/layer.js';
import { LpPool2d } from '../src/lp-pool.js';
import { BatchNorm, LocalResponseNorm } from '../src/norm.js';
import { AvgPool2d, MaxPool2d } from '../src/pool.js';
import { sequential } from '../src/sequential.js';
import { StochasticPool2d } from '../src/stochastic-pool.js';
import { Subsample2d } from '../src/subsample.js';
import { runLayerTest } from '../src/testing/index.js';
import { ZeroPadding2d } from '../src/zero-pad.js';

async function available(): Promise<BackendName[]> {
  const names: BackendName[] = ['wasm'];
  try {
    await initBackend('webgpu');
    names.push('webgpu');
  } catch (error) {
    if (process.env.CI) throw error;
  }
  return names;
}

const backends = await available();

const LAYERS: [string, () => Layer, number[], boolean?][] = [
  [
    'conv2d 3×3/2 same, relu',
    () => new Conv2d({ filters: 3, kernel: 3, stride: 2, padding: 'same', activation: 'relu' }),
    [7, 7, 2],
  ],
  [
    'conv2d dilated, grouped',
    () => new Conv2d({ filters: 4, kernel: 3, dilation: 2, padding: 2, groups: 2 }),
    [7, 6, 4],
  ],
  ['dense', () => new Dense({ units: 4 }), [6]],
  ['flatten', () => new Flatten(), [3, 2, 2]],
  ['activation leakyRelu', () => new Activation({ fn: 'leakyRelu', alpha: 0.2 }), [3, 3, 2]],
  ['max pool 3×3/2 ceil', () => new MaxPool2d({ kernel: 3, stride: 2, ceilMode: true }), [6, 6, 2]],
  [
    'avg pool padded, count_include_pad',
    () => new AvgPool2d({ kernel: 3, stride: 2, padding: 1, countIncludePad: true }),
    [6, 5, 2],
  ],
  ['global avg pool', () => new GlobalPool2d(), [4, 4, 3]],
  ['L2 pool', () => new LpPool2d({ kernel: 2 }), [4, 4, 2]],
  ['stochastic pool (inference)', () => new StochasticPool2d({ kernel: 2 }), [4, 4, 2]],
  ['cross-channel pool', () => new ChannelPool({ pieces: 2 }), [3, 3, 4]],
  ['maxout', () => new Maxout({ units: 3, pieces: 2 }), [5]],
  ['zero padding', () => new ZeroPadding2d({ padding: [1, [0, 2]] }), [3, 3, 2]],
  ['LeNet subsampling', () => new Subsample2d({ kernel: 2 }), [4, 4, 2]],
  ['batch norm (training)', () => new BatchNorm(), [3, 3, 2], true],
  ['LRN', () => new LocalResponseNorm(), [3, 3, 6]],
  ['dropout (training)', () => new Dropout({ rate: 0.5 }), [4, 4, 2], true],
  [
    'inception-style branches',
    () =>
      concat([
        new Conv2d({ filters: 2, kernel: 1 }),
        sequential([new MaxPool2d({ kernel: 3, stride: 1, padding: 1 }), new Conv2d({ filters: 1, kernel: 1 })]),
      ]),
    [5, 5, 3],
  ],
];

describe.each(backends)('layers on %s', (name) => {
  beforeAll(async () => {
    await initBackend(name);
  });

  it.each(LAYERS)(
    '%s passes runLayerTest',
    async (_, make, input, training) => {
      expect(tf.getBackend()).toBe(name);
      await runLayerTest(make, { input, training: training ?? false });
    },
    120_000,
  );
});
