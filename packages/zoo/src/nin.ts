// Network in Network: Lin, Chen, Yan 2014, "Network In Network" (ICLR).
// Each mlpconv block is a k×k convolution followed by 1×1 convolutions (the
// "cccp" layers of the authors' Caffe models), every one with a ReLU; no fully
// connected layer: the last 1×1 convolution has one map per class, and global
// average pooling turns each map into that class's score.
import {
  AvgPool2d,
  ConfigError,
  Dropout,
  GlobalPool2d,
  type Layer,
  MaxPool2d,
  mlpconv,
  sequential,
} from '@convkit/layers';
import type { ModelDefinition } from './registry.js';

/**
 * The ImageNet model of the Caffe model zoo ("NIN-imagenet", 4 mlpconv
 * layers). Caffe rounds pooling output sizes up, hence `ceilMode`. Shapes
 * at 224×224×3.
 */
function ninImagenet(input: [number, number, number], numClasses: number): Layer {
  const [h, w, c] = input;
  if (h < 55 || w < 55)
    throw new ConfigError('nin', `the geometry needs at least a 55×55 input, received ${h}×${w}×${c}`);
  return sequential(
    [
      mlpconv({ name: 'mlpconv1', filters: 96, kernel: 11, stride: 4, micro: [96, 96] }),               // 54×54×96
      new MaxPool2d({ name: 'pool1', kernel: 3, stride: 2, ceilMode: true }),                             // 27×27×96
      mlpconv({ name: 'mlpconv2', filters: 256, kernel: 5, padding: 2, micro: [256, 256] }),            // 27×27×256
      new MaxPool2d({ name: 'pool2', kernel: 3, stride: 2, ceilMode: true }),                             // 13×13×256
      mlpconv({ name: 'mlpconv3', filters: 384, kernel: 3, padding: 1, micro: [384, 384] }),            // 13×13×384
      new MaxPool2d({ name: 'pool3', kernel: 3, stride: 2, ceilMode: true }),                             // 6×6×384
      new Dropout({ name: 'drop', rate: 0.5 }),
      mlpconv({ name: 'mlpconv4', filters: 1024, kernel: 3, padding: 1, micro: [1024, numClasses] }),   // 6×6×1000
      new GlobalPool2d({ name: 'pool4', mode: 'avg' }),                                                   // 1000
    ],
    { name: 'nin' },
  ); // biome-ignore format: one layer per line, as the Caffe model
}

/**
 * The CIFAR-10 model of the paper, as the authors' Caffe definition: three
 * mlpconv layers, dropout between them. Shapes at 32×32×3.
 */
function ninCifar(input: [number, number, number], numClasses: number): Layer {
  const [h, w, c] = input;
  if (h < 6 || w < 6)
    throw new ConfigError('nin-cifar', `the geometry needs at least a 6×6 input, received ${h}×${w}×${c}`);
  return sequential(
    [
      mlpconv({ name: 'mlpconv1', filters: 192, kernel: 5, padding: 2, micro: [160, 96] }),             // 32×32×96
      new MaxPool2d({ name: 'pool1', kernel: 3, stride: 2, ceilMode: true }),                             // 16×16×96
      new Dropout({ name: 'drop1', rate: 0.5 }),
      mlpconv({ name: 'mlpconv2', filters: 192, kernel: 5, padding: 2, micro: [192, 192] }),            // 16×16×192
      new AvgPool2d({ name: 'pool2', kernel: 3, stride: 2, ceilMode: true }),                             // 8×8×192
      new Dropout({ name: 'drop2', rate: 0.5 }),
      mlpconv({ name: 'mlpconv3', filters: 192, kernel: 3, padding: 1, micro: [192, numClasses] }),     // 8×8×10
      new GlobalPool2d({ name: 'pool3', mode: 'avg' }),                                                   // 10
    ],
    { name: 'nin-cifar' },
  ); // biome-ignore format: one layer per line, as the Caffe model
}

const paper = {
  title: 'Network In Network',
  authors: 'Lin, Chen, Yan',
  year: 2014,
  url: 'https://arxiv.org/abs/1312.4400',
};

export const ninModels: ModelDefinition[] = [
  {
    card: {
      name: 'nin',
      family: 'Network in Network',
      paper,
      input: [224, 224, 3],
      numClasses: 1000,
      deviations: [
        'the paper reports no ImageNet network: this is the ImageNet model of the Caffe model zoo (4 mlpconv layers, 1024 maps before the class maps)',
        'pooling rounds its output size up (ceilMode), as Caffe does: 54 → 27 → 13 → 6',
        'the class maps keep their ReLU before global average pooling, as in the Caffe model; softmax left to the loss',
      ],
      inputs:
        'any input of at least 55×55 (global average pooling takes whatever map remains: 6×6 at 224×224, 7×7 at 256×256)',
    },
    build: ({ input, numClasses }) => ninImagenet(input, numClasses),
  },
  {
    card: {
      name: 'nin-cifar',
      family: 'Network in Network',
      paper,
      input: [32, 32, 3],
      numClasses: 10,
      reported: [
        {
          metric: 'error',
          value: 10.41,
          dataset: 'CIFAR-10 test',
          source: 'Lin et al. 2014, CIFAR-10 test error table (NIN + Dropout, no data augmentation)',
        },
        {
          metric: 'error',
          value: 8.81,
          dataset: 'CIFAR-10 test',
          source: 'Lin et al. 2014, CIFAR-10 test error table (NIN + Dropout + data augmentation)',
        },
      ],
      deviations: [
        "layer widths follow the authors' Caffe definition (192-160-96, 192-192-192, 192-192-10)",
        'pooling rounds its output size up (ceilMode), as Caffe does: 32 → 16 → 8',
        'the class maps keep their ReLU before global average pooling, as in the Caffe model; softmax left to the loss',
      ],
      inputs: 'any input of at least 6×6 (global average pooling takes whatever map remains: 8×8 at 32×32)',
    },
    build: ({ input, numClasses }) => ninCifar(input, numClasses),
  },
];
