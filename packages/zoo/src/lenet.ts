// LeNet-5: LeCun, Bottou, Bengio, Haffner 1998, "Gradient-based learning
// applied to document recognition", Fig. 2 and Table I.
import {
  ConfigError,
  Conv2d,
  Dense,
  Flatten,
  type Layer,
  MaxPool2d,
  registerLayer,
  Subsample2d,
  sequential,
  ZeroPadding2d,
} from '@convkit/layers';
import { EuclideanRbf, type EuclideanRbfConfig } from './rbf.js';
import type { ModelDefinition } from './registry.js';

declare module '@convkit/layers' {
  interface LayerConfigs {
    euclideanRbf: EuclideanRbfConfig;
  }
}
registerLayer('euclideanRbf', (config) => new EuclideanRbf(config), { keys: { name: true, units: true } });

/** Table I: which S2 maps each C3 map reads. */
export const LENET5_C3: number[][] = [
  [0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5], [0, 4, 5], [0, 1, 5],
  [0, 1, 2, 3], [1, 2, 3, 4], [2, 3, 4, 5], [0, 3, 4, 5], [0, 1, 4, 5], [0, 1, 2, 5],
  [0, 1, 3, 4], [1, 2, 4, 5], [0, 2, 3, 5],
  [0, 1, 2, 3, 4, 5],
]; // biome-ignore format: the paper's table

/** 32×32 as in the paper, or 28×28 (MNIST as distributed) padded by 2 to 32×32. */
function inputLayers(model: string, [h, w, c]: [number, number, number]): Layer[] {
  if (c !== 1) throw new ConfigError(model, `takes grayscale images [h, w, 1], received ${c} channels`);
  if (h === 32 && w === 32) return [];
  if (h === 28 && w === 28) return [new ZeroPadding2d({ name: 'pad', padding: 2 })];
  throw new ConfigError(model, `the geometry needs a 32×32 (or 28×28, padded) input, received ${h}×${w}`);
}

function lenet5Paper(input: [number, number, number], numClasses: number): Layer {
  return sequential(
    [
      ...inputLayers('lenet5', input),                                                             // 32×32×1
      new Conv2d({ name: 'C1', filters: 6, kernel: 5, activation: 'tanh' }),                        // 28×28×6, 156
      new Subsample2d({ name: 'S2', kernel: 2, activation: 'tanh' }),                               // 14×14×6, 12
      new Conv2d({ name: 'C3', filters: 16, kernel: 5, connections: LENET5_C3, activation: 'tanh' }), // 10×10×16, 1,516
      new Subsample2d({ name: 'S4', kernel: 2, activation: 'tanh' }),                               // 5×5×16, 32
      new Conv2d({ name: 'C5', filters: 120, kernel: 5, activation: 'tanh' }),                      // 1×1×120, 48,120
      new Flatten(),
      new Dense({ name: 'F6', units: 84, activation: 'tanh' }),                                     // 84, 10,164
      new EuclideanRbf({ name: 'output', units: numClasses }),                                      // 10 (fixed, 840)
    ],
    { name: 'lenet5' },
  ); // biome-ignore format: one layer per line, as the paper's figure
}

function lenet5Modern(input: [number, number, number], numClasses: number): Layer {
  const [h, w, c] = input;
  // 'same' padding on C1 keeps 28×28 for MNIST; any input of at least 12×12 works.
  if (h < 12 || w < 12) throw new ConfigError('lenet5-modern', `needs at least 12×12, received ${h}×${w}×${c}`);
  return sequential(
    [
      new Conv2d({ name: 'conv1', filters: 6, kernel: 5, padding: 'same', activation: 'relu' }), // h×w×6
      new MaxPool2d({ name: 'pool1', kernel: 2 }),                                               // h/2×w/2×6
      new Conv2d({ name: 'conv2', filters: 16, kernel: 5, activation: 'relu' }),                 // h/2−4
      new MaxPool2d({ name: 'pool2', kernel: 2 }),                                               // 5×5×16 at 28
      new Flatten(),
      new Dense({ name: 'fc1', units: 120, activation: 'relu' }),
      new Dense({ name: 'fc2', units: 84, activation: 'relu' }),
      new Dense({ name: 'fc3', units: numClasses }),
    ],
    { name: 'lenet5-modern' },
  ); // biome-ignore format: one layer per line
}

const paper = {
  title: 'Gradient-based learning applied to document recognition',
  authors: 'LeCun, Bottou, Bengio, Haffner',
  year: 1998,
};

export const lenetModels: ModelDefinition[] = [
  {
    card: {
      name: 'lenet5',
      family: 'LeNet',
      paper,
      input: [32, 32, 1],
      numClasses: 10,
      reported: [
        {
          metric: 'error',
          value: 0.95,
          dataset: 'MNIST test',
          source: 'LeCun et al. 1998, Section III.C (LeNet-5, no distortions)',
        },
      ],
      deviations: [
        "tanh instead of the paper's scaled squashing 1.7159·tanh(2a/3)",
        "the RBF output centres are seeded ±1 patterns, not the paper's 7×12 character bitmaps; the layer returns −distance as logits",
      ],
      inputs: '32×32×1, or 28×28×1 padded by 2 to 32×32',
    },
    build: ({ input, numClasses }) => lenet5Paper(input, numClasses),
  },
  {
    card: {
      name: 'lenet5-modern',
      family: 'LeNet',
      paper,
      input: [28, 28, 1],
      numClasses: 10,
      deviations: ['ReLU, max pooling, full C3 connections, a dense softmax output: the form used in courses today'],
      inputs: 'any grayscale input of at least 12×12 (28×28 for MNIST)',
    },
    build: ({ input, numClasses }) => lenet5Modern(input, numClasses),
  },
];
