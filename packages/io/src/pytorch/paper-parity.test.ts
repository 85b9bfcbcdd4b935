import { initBackend } from '@convkit/backend';
import {
  AuxiliaryHead,
  BatchNorm,
  ChannelPool,
  Conv2d,
  Dense,
  Flatten,
  GlobalPool2d,
  type Layer,
  LocalResponseNorm,
  LpPool2d,
  Maxout,
  StochasticPool2d,
  Subsample2d,
  sequential,
} from '@convkit/layers';
import { EuclideanRbf } from '@convkit/zoo';
import { beforeAll, describe, expect, it } from 'vitest';
import { compareCase, type LayerCaseOptions, layerCase, runLayerCases } from '../../test/layer-parity.js';
import { findTorch } from '../../test/python.js';

// The paper layers' model.py forms against convkit: the same weights and input through pytorchModelFiles'
// model.py (python3 with torch) and through convkit, one step each; outputs within 1e-5, gradients of
// the input and of every trainable weight within 1e-3 relative, running statistics after a training step.

const found = findTorch();
console.log(`paper-layer parity: ${found.python ? 'running with' : 'skipped:'} ${found.why}`);

type Make = () => { model: Layer; shape: number[]; options?: LayerCaseOptions };

const C3 = [[0], [1, 2], [0, 2], [0, 1, 2]];
const CASES: Record<string, Make> = {
  'conv2d connections (C3), same padding, stride 2, tanh': () => ({
    model: sequential([
      new Conv2d({
        name: 'C3',
        filters: 4,
        kernel: 3,
        stride: 2,
        padding: 'same',
        connections: C3,
        activation: 'tanh',
      }),
    ]),
    shape: [6, 6, 3],
  }),
  'conv2d connections, no bias, dilation 2': () => ({
    model: sequential([new Conv2d({ name: 'C3', filters: 4, kernel: 2, dilation: 2, bias: false, connections: C3 })]),
    shape: [5, 5, 3],
  }),
  'euclideanRbf after a flatten': () => ({
    model: sequential([new Flatten(), new EuclideanRbf({ name: 'output', units: 5 })]),
    shape: [2, 2, 3],
  }),
  'subsample2d 2×2 with tanh, then 3×3 stride 1': () => ({
    model: sequential([
      new Subsample2d({ name: 'S2', activation: 'tanh' }),
      new Subsample2d({ name: 'S4', kernel: 3, stride: 1 }),
    ]),
    shape: [8, 8, 3],
  }),
  'lpPool2d p = 3, same padding, stride 2': () => ({
    model: sequential([new LpPool2d({ kernel: 3, stride: 2, padding: 'same', p: 3 })]),
    shape: [6, 6, 2],
    options: { relu: true },
  }),
  'lpPool2d p = 2 (L2), padding 1; p = 1': () => ({
    model: sequential([new LpPool2d({ kernel: 2, padding: 1 }), new LpPool2d({ kernel: 2, stride: 1, p: 1 })]),
    shape: [5, 5, 2],
  }),
  'stochasticPool2d at inference (Σa²/Σa)': () => ({
    model: sequential([new StochasticPool2d({ kernel: 3, stride: 2 })]),
    shape: [7, 7, 2],
    options: { relu: true },
  }),
  'stochasticPool2d training, convkit’s draws injected': () => ({
    model: sequential([new StochasticPool2d({ kernel: 2 })]),
    shape: [6, 6, 2],
    options: { training: true, seed: 9, draws: [[2, 3, 3, 2, 1]], relu: true },
  }),
  'channelPool on maps, maxout on a vector': () => ({
    model: sequential([
      new Conv2d({ filters: 6, kernel: 2 }),
      new ChannelPool({ pieces: 3 }),
      new Flatten(),
      new Maxout({ units: 4, pieces: 3 }),
    ]),
    shape: [3, 3, 2],
  }),
  'lrn n = 5 on 7 channels, n = 3 (edge channels)': () => ({
    model: sequential([
      new LocalResponseNorm({ size: 5, alpha: 0.5, beta: 0.75, k: 1 }),
      new LocalResponseNorm({ size: 3, alpha: 2, beta: 0.6, k: 2 }),
    ]),
    shape: [3, 3, 7],
  }),
  'auxiliaryHead while training: (main, [aux])': () => ({
    model: auxModel(),
    shape: [6, 6, 2],
    options: { training: true },
  }),
  'auxiliaryHead at inference: main only': () => ({ model: auxModel(), shape: [6, 6, 2] }),
  'batchNorm scale-only, training (running statistics)': () => ({
    model: sequential([new BatchNorm({ center: false, momentum: 0.8, epsilon: 1e-3 })]),
    shape: [3, 3, 4],
    options: { training: true, batch: 3 },
  }),
  'batchNorm center-only at inference, on a map and on a vector': () => ({
    model: sequential([new BatchNorm({ scale: false }), new Flatten(), new BatchNorm({ scale: false })]),
    shape: [2, 2, 3],
    options: { batch: 3 },
  }),
  'batchNorm center-only on a vector, training': () => ({
    model: sequential([new Flatten(), new BatchNorm({ scale: false })]),
    shape: [2, 2, 3],
    options: { training: true, batch: 4 },
  }),
};

function auxModel(): Layer {
  const head = sequential([new GlobalPool2d({}), new Dense({ units: 3 })]);
  return sequential([
    new Conv2d({ filters: 4, kernel: 3, activation: 'relu' }),
    new AuxiliaryHead(head, { name: 'aux1' }),
    new Conv2d({ filters: 4, kernel: 2, activation: 'relu' }),
    new GlobalPool2d({}),
    new Dense({ units: 3 }),
  ]);
}

describe.skipIf(!found.python)('paper layers: model.py against convkit', () => {
  const labels = Object.keys(CASES);
  const expected: Map<string, Float32Array>[] = [];
  let results: Map<string, Float32Array>[] = [];

  beforeAll(async () => {
    await initBackend('cpu');
    const cases = [];
    for (const make of Object.values(CASES)) {
      const { model, shape, options } = make();
      const made = await layerCase(model, shape, options);
      expected.push(made.expected);
      cases.push(made);
      model.dispose();
    }
    results = runLayerCases(found.python as string, cases);
  }, 300_000);

  for (const [k, label] of labels.entries()) {
    it(label, () => {
      const { lines, bad } = compareCase(
        expected[k] as Map<string, Float32Array>,
        results[k] as Map<string, Float32Array>,
      );
      console.log(`${label}\n  ${lines.join('\n  ')}`);
      expect(bad).toEqual([]);
    });
  }
});
