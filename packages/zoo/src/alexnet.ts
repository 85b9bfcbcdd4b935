/**
 * AlexNet (Krizhevsky, Sutskever & Hinton 2012) as Caffe's `bvlc_alexnet`
 * defines it, and torchvision's single-tower variant.
 *
 * Shapes in the comments are height × width × channels at the default input.
 */
import {
  AvgPool2d,
  Conv2d,
  Dense,
  Dropout,
  Flatten,
  type Layer,
  LocalResponseNorm,
  MaxPool2d,
  sequential,
} from '@convkit/layers';
import { windowOutputSize } from '@convkit/shape';
import type { ModelDefinition } from './registry.js';

/** Caffe's LRN (`local_size` 5, α 1e-4 in the α/n convention, β 0.75, k 1), as the ONNX graph's LRN nodes. */
const lrn = () => new LocalResponseNorm({ size: 5, alpha: 1e-4, beta: 0.75, k: 1 });
/** Caffe pools round up (ceil mode); at 227 every pool divides exactly, so floor would agree. */
const pool = () => new MaxPool2d({ kernel: 3, stride: 2, ceilMode: true });

/**
 * Caffe `bvlc_alexnet`: two towers (groups 2 on conv2, conv4, conv5), LRN
 * after the ReLU of conv1 and conv2 and before their pools.
 */
function caffeAlexnet(numClasses: number): Layer {
  return sequential([
    // conv1: 227×227×3 → 55×55×96 (11×11/4, no padding)
    new Conv2d({ name: 'conv1', filters: 96, kernel: 11, stride: 4, activation: 'relu' }),
    lrn(), // 55×55×96
    pool(), // pool1 3/2: 27×27×96
    // conv2: 27×27×96 → 27×27×256 (5×5, pad 2, two towers of 48 → 128)
    new Conv2d({ name: 'conv2', filters: 256, kernel: 5, padding: 2, groups: 2, activation: 'relu' }),
    lrn(), // 27×27×256
    pool(), // pool2 3/2: 13×13×256
    // conv3: 13×13×256 → 13×13×384 (3×3, pad 1, across both towers)
    new Conv2d({ name: 'conv3', filters: 384, kernel: 3, padding: 1, activation: 'relu' }),
    // conv4: 13×13×384 → 13×13×384 (3×3, pad 1, two towers of 192 → 192)
    new Conv2d({ name: 'conv4', filters: 384, kernel: 3, padding: 1, groups: 2, activation: 'relu' }),
    // conv5: 13×13×384 → 13×13×256 (3×3, pad 1, two towers of 192 → 128)
    new Conv2d({ name: 'conv5', filters: 256, kernel: 3, padding: 1, groups: 2, activation: 'relu' }),
    pool(), // pool5 3/2: 6×6×256
    new Flatten(), // 9216
    new Dense({ name: 'fc6', units: 4096, activation: 'relu' }), // 4096
    new Dropout({ rate: 0.5 }),
    new Dense({ name: 'fc7', units: 4096, activation: 'relu' }), // 4096
    new Dropout({ rate: 0.5 }),
    new Dense({ name: 'fc8', units: numClasses }), // logits (softmax in the loss)
  ]);
}

/** The side of the map after torchvision AlexNet's features at an input side. */
function torchvisionFeatureSide(side: number): number {
  const conv1 = windowOutputSize(side, 11, 4, [2, 2]);
  const pooled = (s: number) => windowOutputSize(s, 3, 2, [0, 0]);
  return pooled(pooled(pooled(conv1)));
}

/**
 * torchvision's `alexnet`: the single-tower widths of Krizhevsky 2014
 * ("One weird trick…"), no LRN, padding 2 on conv1, floor-mode pools,
 * adaptive average pooling to 6×6 and dropout before fc6 and fc7.
 */
function torchvisionAlexnet(numClasses: number, input: [number, number, number]): Layer {
  const [height, width] = input;
  const h = torchvisionFeatureSide(height);
  const w = torchvisionFeatureSide(width);
  const adaptive: Layer[] =
    (h !== 6 || w !== 6) && h % 6 === 0 && w % 6 === 0
      ? [new AvgPool2d({ name: 'avgpool', kernel: [h / 6, w / 6] })]
      : [];
  return sequential([
    // features.0: 224×224×3 → 55×55×64 (11×11/4, pad 2)
    new Conv2d({ name: 'conv1', filters: 64, kernel: 11, stride: 4, padding: 2, activation: 'relu' }),
    new MaxPool2d({ kernel: 3, stride: 2 }), // 27×27×64
    // features.3: 27×27×64 → 27×27×192 (5×5, pad 2)
    new Conv2d({ name: 'conv2', filters: 192, kernel: 5, padding: 2, activation: 'relu' }),
    new MaxPool2d({ kernel: 3, stride: 2 }), // 13×13×192
    // features.6, 8, 10: 13×13 → 384, 256, 256 (3×3, pad 1)
    new Conv2d({ name: 'conv3', filters: 384, kernel: 3, padding: 1, activation: 'relu' }),
    new Conv2d({ name: 'conv4', filters: 256, kernel: 3, padding: 1, activation: 'relu' }),
    new Conv2d({ name: 'conv5', filters: 256, kernel: 3, padding: 1, activation: 'relu' }),
    new MaxPool2d({ kernel: 3, stride: 2 }), // 6×6×256
    ...adaptive, // avgpool: the identity at 224
    new Flatten(), // 9216
    new Dropout({ rate: 0.5 }),
    new Dense({ name: 'fc6', units: 4096, activation: 'relu' }),
    new Dropout({ rate: 0.5 }),
    new Dense({ name: 'fc7', units: 4096, activation: 'relu' }),
    new Dense({ name: 'fc8', units: numClasses }),
  ]);
}

const paper = {
  title: 'ImageNet Classification with Deep Convolutional Neural Networks',
  authors: 'Alex Krizhevsky, Ilya Sutskever, Geoffrey E. Hinton',
  year: 2012,
  url: 'https://papers.nips.cc/paper/4824-imagenet-classification-with-deep-convolutional-neural-networks',
} as const;

/** Caffe `bvlc_alexnet`, the 2012 paper's network ({@link caffeAlexnet}). */
export const alexnet: ModelDefinition = {
  card: {
    name: 'alexnet',
    aliases: ['bvlc_alexnet', 'caffe-alexnet'],
    family: 'alexnet',
    paper,
    input: [227, 227, 3],
    numClasses: 1000,
    reported: [
      {
        metric: 'top-1 error',
        value: 40.7,
        dataset: 'ILSVRC-2012 val',
        source: 'Krizhevsky et al. 2012, Table 2 (1 CNN)',
      },
      {
        metric: 'top-5 error',
        value: 18.2,
        dataset: 'ILSVRC-2012 val',
        source: 'Krizhevsky et al. 2012, Table 2 (1 CNN)',
      },
      {
        metric: 'top-5 error',
        value: 15.4,
        dataset: 'ILSVRC-2012 val',
        source: 'Krizhevsky et al. 2012, Table 2 (7 CNNs*, two pre-trained on ImageNet Fall 2011)',
      },
      {
        metric: 'top-5 error',
        value: 15.3,
        dataset: 'ILSVRC-2012 test',
        source: 'Krizhevsky et al. 2012, Table 2 (7 CNNs*, two pre-trained on ImageNet Fall 2011)',
      },
      {
        metric: 'top-1 error',
        value: 37.5,
        dataset: 'ILSVRC-2010 test',
        source: 'Krizhevsky et al. 2012, Table 1 (CNN)',
      },
      {
        metric: 'top-5 error',
        value: 17.0,
        dataset: 'ILSVRC-2010 test',
        source: 'Krizhevsky et al. 2012, Table 1 (CNN)',
      },
    ],
    deviations: [
      'Input 227×227 as in Caffe: the paper states 224×224, with which 11×11/4 convolutions do not give its 55×55 maps.',
      "Caffe's layer order: LRN after conv1's and conv2's ReLU and before the pool (the paper's Section 3.5 order); " +
        "Caffe's LRN uses α/n (α = 1e-4, k = 1), the paper k = 2 and α = 1e-4 without /n.",
      'The two GPUs are `groups: 2` convolutions (conv2, conv4, conv5); conv3 and the dense layers see both towers, as in the paper. ' +
        'Biases are kept everywhere (the paper initializes some to 1, others to 0; initialization is not part of the architecture).',
      'Max pools use ceil mode as Caffe does (identical to floor at 227). The ONNX light graph (224 input) uses floor pools ' +
        'with pads [0,0,1,1] on pool5 instead, so its maps are 54, 26, 12, 6; the weights are the same.',
      'Dropout 0.5 after fc6 and fc7 (after their ReLU), as Caffe.',
    ],
    inputs:
      'Every input of at least 55×55 (55: conv1 → 12, pool1 → 6, pool2 → 3, pool5 → 1×1×256). ' +
      "The final map is 6×6 (fc6 in = 9216, the default parameters) for sides 199–230; other sizes change fc6's input width and its parameters.",
  },
  build: ({ numClasses }) => caffeAlexnet(numClasses),
};

/** torchvision's single-tower `alexnet` ({@link torchvisionAlexnet}). */
export const alexnetTorchvision: ModelDefinition = {
  card: {
    name: 'alexnet-torchvision',
    aliases: ['torchvision-alexnet'],
    family: 'alexnet',
    paper,
    input: [224, 224, 3],
    numClasses: 1000,
    reported: [
      {
        metric: 'top-1 error',
        value: 43.478,
        dataset: 'ILSVRC-2012 val (224 center crop)',
        source: 'torchvision AlexNet_Weights.IMAGENET1K_V1 (acc@1 56.522), not a paper',
      },
      {
        metric: 'top-5 error',
        value: 20.934,
        dataset: 'ILSVRC-2012 val (224 center crop)',
        source: 'torchvision AlexNet_Weights.IMAGENET1K_V1 (acc@5 79.066), not a paper',
      },
    ],
    deviations: [
      'Follows torchvision, not the 2012 paper: widths 64-192-384-256-256 (from Krizhevsky 2014, "One weird trick for ' +
        'parallelizing convolutional neural networks", arXiv:1404.5997), one tower (no groups), no LRN.',
      'conv1 has padding 2, so 224×224 gives 55×55 maps; pools are floor mode.',
      "torchvision's AdaptiveAvgPool2d(6×6) is the identity at 224 (the map is already 6×6) and is left out; " +
        'where the map side is a multiple of 6 it is an exact AvgPool2d, at any other input the map is flattened as it is ' +
        "(fc6's input width then differs from torchvision's 9216).",
      'Dropout 0.5 before fc6 and before fc7, as torchvision.',
    ],
    inputs:
      'Every input of at least 63×63 (63: conv1 → 15, pools → 7, 3, 1×1×256). The map is 6×6 (fc6 in = 9216) for sides ' +
      "223–254, and 12×12 average-pooled to 6×6 for sides 415–446 (as torchvision's adaptive pool); other sizes change fc6's input width.",
  },
  build: ({ numClasses, input }) => torchvisionAlexnet(numClasses, input),
};

export const alexnetModels: ModelDefinition[] = [alexnet, alexnetTorchvision];
