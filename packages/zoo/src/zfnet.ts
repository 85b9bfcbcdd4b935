/**
 * ZFNet (Zeiler & Fergus 2014, Fig. 3) and the wider `zfnet512` of the
 * Caffe2 / ONNX model zoo.
 *
 * Shapes in the comments are height × width × channels at 224×224×3.
 */
import { Conv2d, Dense, Dropout, Flatten, LocalResponseNorm, MaxPool2d, sequential } from '@convkit/layers';
import type { ModelDefinition } from './registry.js';

const paper = {
  title: 'Visualizing and Understanding Convolutional Networks',
  authors: 'Matthew D. Zeiler, Rob Fergus',
  year: 2014,
  url: 'https://arxiv.org/abs/1311.2901',
} as const;

/**
 * The "contrast normalization across feature maps" of the paper, with the
 * parameters of the ONNX `zfnet512` graph: size 5, α 5e-4 (α/n = 1e-4), β 0.75, k 2.
 */
const lrn = () => new LocalResponseNorm({ size: 5, alpha: 5e-4, beta: 0.75, k: 2 });

/**
 * Zeiler & Fergus, Fig. 3: conv → ReLU → 3×3/2 max pool → contrast
 * normalization for layers 1 and 2. Paddings and pool rounding are chosen so
 * that the maps are the figure's 110, 55, 26, 13, 13, 13, 6.
 */
export const zfnet: ModelDefinition = {
  card: {
    name: 'zfnet',
    aliases: ['zf-net', 'zeiler-fergus'],
    family: 'zfnet',
    paper,
    input: [224, 224, 3],
    numClasses: 1000,
    reported: [
      {
        metric: 'top-1 error',
        value: 38.4,
        dataset: 'ILSVRC-2012 val',
        source: 'Zeiler & Fergus 2014, Table 2 (1 convnet as per Fig. 3)',
      },
      {
        metric: 'top-5 error',
        value: 16.5,
        dataset: 'ILSVRC-2012 val',
        source: 'Zeiler & Fergus 2014, Table 2 (1 convnet as per Fig. 3)',
      },
      {
        metric: 'top-5 error',
        value: 14.8,
        dataset: 'ILSVRC-2012 test',
        source: 'Zeiler & Fergus 2014, Table 2 (6 convnets, (a) & (b) combined)',
      },
    ],
    deviations: [
      'The figure gives no paddings: conv1 (7×7/2) is padded by 1 on each side (224 → 110) and pool1 and pool2 round up ' +
        "(ceil mode: 110 → 55, 26 → 13), so every map is the figure's; pool5 (13 → 6) rounds down. conv3–5 are padded by 1.",
      "Contrast normalization is LRN with the ONNX zfnet512 graph's parameters (size 5, α 5e-4 in the α/n convention, β 0.75, k 2); " +
        'the paper names no parameters. It follows the pool, as in the figure.',
      "Dense layers: one tower (the paper trains on a single GPU), dropout 0.5 after fc6 and fc7 as in the paper's Section 3.",
      'The paper renormalizes conv filters whose RMS exceeds 0.1; that is a training rule, not part of the architecture.',
    ],
    inputs:
      'Every input of at least 63×63 (63: conv1 → 30, pool1 → 15, conv2 → 6, pool2 → 3, pool5 → 1×1×256). ' +
      "The final map is 6×6 (fc6 in = 9216) for sides 223–254; other sizes change fc6's input width.",
  },
  build({ numClasses }) {
    return sequential([
      // conv1: 224×224×3 → 110×110×96 (7×7/2, pad 1)
      new Conv2d({ name: 'conv1', filters: 96, kernel: 7, stride: 2, padding: 1, activation: 'relu' }),
      new MaxPool2d({ kernel: 3, stride: 2, ceilMode: true }), // pool1: 55×55×96
      lrn(), // norm1
      // conv2: 55×55×96 → 26×26×256 (5×5/2, no padding)
      new Conv2d({ name: 'conv2', filters: 256, kernel: 5, stride: 2, activation: 'relu' }),
      new MaxPool2d({ kernel: 3, stride: 2, ceilMode: true }), // pool2: 13×13×256
      lrn(), // norm2
      // conv3, conv4, conv5: 13×13 → 384, 384, 256 (3×3, pad 1)
      new Conv2d({ name: 'conv3', filters: 384, kernel: 3, padding: 1, activation: 'relu' }),
      new Conv2d({ name: 'conv4', filters: 384, kernel: 3, padding: 1, activation: 'relu' }),
      new Conv2d({ name: 'conv5', filters: 256, kernel: 3, padding: 1, activation: 'relu' }),
      new MaxPool2d({ kernel: 3, stride: 2 }), // pool5: 6×6×256
      new Flatten(), // 9216
      new Dense({ name: 'fc6', units: 4096, activation: 'relu' }),
      new Dropout({ rate: 0.5 }),
      new Dense({ name: 'fc7', units: 4096, activation: 'relu' }),
      new Dropout({ rate: 0.5 }),
      new Dense({ name: 'fc8', units: numClasses }),
    ]);
  },
};

/**
 * `zfnet512` of the Caffe2 model zoo as the ONNX light graph has it: conv3–5
 * 512 maps, fc7 1024 units, LRN before the pools, no padding on conv1 and
 * conv2, floor pools and a 2×2/2 pool5, no dropout layers.
 */
export const zfnet512: ModelDefinition = {
  card: {
    name: 'zfnet-512',
    aliases: ['zfnet512'],
    family: 'zfnet',
    paper,
    input: [224, 224, 3],
    numClasses: 1000,
    deviations: [
      "Follows the ONNX model zoo's zfnet512 graph (from Caffe2), not a table of the paper: conv3, conv4, conv5 have 512 maps " +
        "and fc6 / fc7 4096 / 1024 units. The paper's wider variant (b) (Table 2: conv3–5 with 512, 1024, 512 maps; " +
        '37.5 / 16.0 % top-1 / top-5 val, 16.1 % top-5 test) differs, so no result is reported here.',
      "Maps at 224: 109, 54, 25, 12, 12, 12, 6 (conv1 and conv2 unpadded, floor pools, pool5 2×2/2), not the figure's 110, 55, 26, 13.",
      'LRN (size 5, α 5e-4 in the α/n convention, β 0.75, k 2) after the ReLU and before the pool, as in the graph.',
      'No dropout layers (the inference graph has none).',
    ],
    inputs:
      'Every input of at least 59×59 (59: conv1 → 27, pool1 → 13, conv2 → 5, pool2 → 2, pool5 → 1×1×512). ' +
      "The final map is 6×6 (fc6 in = 18432) for sides 219–250; other sizes change fc6's input width.",
  },
  build({ numClasses }) {
    return sequential([
      // conv1: 224×224×3 → 109×109×96 (7×7/2, no padding)
      new Conv2d({ name: 'conv1', filters: 96, kernel: 7, stride: 2, activation: 'relu' }),
      lrn(), // norm1
      new MaxPool2d({ kernel: 3, stride: 2 }), // pool1: 54×54×96
      // conv2: 54×54×96 → 25×25×256 (5×5/2, no padding)
      new Conv2d({ name: 'conv2', filters: 256, kernel: 5, stride: 2, activation: 'relu' }),
      lrn(), // norm2
      new MaxPool2d({ kernel: 3, stride: 2 }), // pool2: 12×12×256
      // conv3, conv4, conv5: 12×12 → 512, 512, 512 (3×3, pad 1)
      new Conv2d({ name: 'conv3', filters: 512, kernel: 3, padding: 1, activation: 'relu' }),
      new Conv2d({ name: 'conv4', filters: 512, kernel: 3, padding: 1, activation: 'relu' }),
      new Conv2d({ name: 'conv5', filters: 512, kernel: 3, padding: 1, activation: 'relu' }),
      new MaxPool2d({ kernel: 2, stride: 2 }), // pool5: 6×6×512
      new Flatten(), // 18432
      new Dense({ name: 'fc6', units: 4096, activation: 'relu' }),
      new Dense({ name: 'fc7', units: 1024, activation: 'relu' }),
      new Dense({ name: 'fc8', units: numClasses }),
    ]);
  },
};

export const zfnetModels: ModelDefinition[] = [zfnet, zfnet512];
