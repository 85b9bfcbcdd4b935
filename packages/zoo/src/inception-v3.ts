/**
 * Inception v3 (Szegedy, Vanhoucke, Ioffe, Shlens, Wojna 2016, "Rethinking
 * the Inception Architecture for Computer Vision", CVPR), as torchvision's
 * `inception_v3` (`Inception3`) defines it: every convolution is a
 * BasicConv2d (no bias, BatchNorm ε 0.001, ReLU), modules InceptionA … E,
 * the auxiliary classifier InceptionAux after Mixed_6e.
 *
 * Shapes in the comments are height × width × channels at 299×299×3.
 */
import {
  Activation,
  AuxiliaryHead,
  AvgPool2d,
  BatchNorm,
  Concat,
  Conv2d,
  Dense,
  Dropout,
  GlobalPool2d,
  type Layer,
  MaxPool2d,
  Sequential,
  sequential,
} from '@convkit/layers';
import type { ModelDefinition } from './registry.js';

type Size2 = number | readonly [height: number, width: number];
type Padding = number | readonly [height: number, width: number];

/** torchvision's BasicConv2d: convolution without bias, BatchNorm (ε 0.001), ReLU. */
function basicConv(name: string, filters: number, kernel: Size2, stride = 1, padding: Padding = 0): Layer[] {
  return [
    new Conv2d({ name: `${name}/conv`, filters, kernel, stride, padding, bias: false }),
    new BatchNorm({ name: `${name}/bn`, epsilon: 0.001 }),
    new Activation({ name: `${name}/relu`, fn: 'relu' }),
  ];
}

/** One BasicConv2d of a branch: `[torchvision's attribute name, filters, kernel, stride, padding]`. */
type ConvRow = readonly [part: string, filters: number, kernel: Size2, stride?: number, padding?: Padding];

const branch = (module: string, name: string, rows: readonly ConvRow[], tail: Layer[] = []): Sequential =>
  new Sequential(
    [...rows.flatMap(([part, f, k, s = 1, p = 0]) => basicConv(`${module}/${part}`, f, k, s, p)), ...tail],
    { name: `${module}/${name}` },
  );

/** `branch_pool` of InceptionA, C and E: F.avg_pool2d(3, stride 1, padding 1), count_include_pad True, then a 1×1. */
const avgPoolBranch = (module: string, poolFeatures: number): Sequential =>
  new Sequential(
    [
      new AvgPool2d({
        name: `${module}/branch_pool/avg_pool`,
        kernel: 3,
        stride: 1,
        padding: 1,
        countIncludePad: true,
      }),
      ...basicConv(`${module}/branch_pool`, poolFeatures, 1),
    ],
    { name: `${module}/branch_pool` },
  );

/** `branch_pool` of InceptionB and D: F.max_pool2d(3, stride 2), floor mode. */
const maxPoolBranch = (module: string): MaxPool2d =>
  new MaxPool2d({ name: `${module}/branch_pool`, kernel: 3, stride: 2 });

/** InceptionA: 64 + 64 + 96 + poolFeatures channels, same size. */
function inceptionA(name: string, poolFeatures: number): Concat {
  return new Concat(
    [
      branch(name, 'branch1x1', [['branch1x1', 64, 1]]),
      branch(name, 'branch5x5', [['branch5x5_1', 48, 1], ['branch5x5_2', 64, 5, 1, 2]]),
      branch(name, 'branch3x3dbl', [
        ['branch3x3dbl_1', 64, 1],
        ['branch3x3dbl_2', 96, 3, 1, 1],
        ['branch3x3dbl_3', 96, 3, 1, 1],
      ]),
      avgPoolBranch(name, poolFeatures),
    ],
    { name },
  ); // biome-ignore format: one branch per line
}

/** InceptionB (grid reduction 35 → 17): 384 + 96 + the input's channels. */
function inceptionB(name: string): Concat {
  return new Concat(
    [
      branch(name, 'branch3x3', [['branch3x3', 384, 3, 2]]),
      branch(name, 'branch3x3dbl', [
        ['branch3x3dbl_1', 64, 1],
        ['branch3x3dbl_2', 96, 3, 1, 1],
        ['branch3x3dbl_3', 96, 3, 2],
      ]),
      maxPoolBranch(name),
    ],
    { name },
  );
}

/** InceptionC (factorized 7×7): 4 × 192 = 768 channels, same size. */
function inceptionC(name: string, c7: number): Concat {
  return new Concat(
    [
      branch(name, 'branch1x1', [['branch1x1', 192, 1]]),
      branch(name, 'branch7x7', [
        ['branch7x7_1', c7, 1],
        ['branch7x7_2', c7, [1, 7], 1, [0, 3]],
        ['branch7x7_3', 192, [7, 1], 1, [3, 0]],
      ]),
      branch(name, 'branch7x7dbl', [
        ['branch7x7dbl_1', c7, 1],
        ['branch7x7dbl_2', c7, [7, 1], 1, [3, 0]],
        ['branch7x7dbl_3', c7, [1, 7], 1, [0, 3]],
        ['branch7x7dbl_4', c7, [7, 1], 1, [3, 0]],
        ['branch7x7dbl_5', 192, [1, 7], 1, [0, 3]],
      ]),
      avgPoolBranch(name, 192),
    ],
    { name },
  ); // biome-ignore format: one convolution per line
}

/** InceptionD (grid reduction 17 → 8): 320 + 192 + the input's channels. */
function inceptionD(name: string): Concat {
  return new Concat(
    [
      branch(name, 'branch3x3', [['branch3x3_1', 192, 1], ['branch3x3_2', 320, 3, 2]]),
      branch(name, 'branch7x7x3', [
        ['branch7x7x3_1', 192, 1],
        ['branch7x7x3_2', 192, [1, 7], 1, [0, 3]],
        ['branch7x7x3_3', 192, [7, 1], 1, [3, 0]],
        ['branch7x7x3_4', 192, 3, 2],
      ]),
      maxPoolBranch(name),
    ],
    { name },
  ); // biome-ignore format: one convolution per line
}

/** InceptionE (expanded filter bank): 320 + 768 + 768 + 192 = 2048 channels, same size. */
function inceptionE(name: string): Concat {
  const split = (part: string, a: string, b: string) =>
    new Concat([branch(name, a, [[a, 384, [1, 3], 1, [0, 1]]]), branch(name, b, [[b, 384, [3, 1], 1, [1, 0]]])], {
      name: `${name}/${part}/split`,
    });
  return new Concat(
    [
      branch(name, 'branch1x1', [['branch1x1', 320, 1]]),
      branch(name, 'branch3x3', [['branch3x3_1', 384, 1]], [split('branch3x3', 'branch3x3_2a', 'branch3x3_2b')]),
      branch(
        name,
        'branch3x3dbl',
        [['branch3x3dbl_1', 448, 1], ['branch3x3dbl_2', 384, 3, 1, 1]],
        [split('branch3x3dbl', 'branch3x3dbl_3a', 'branch3x3dbl_3b')],
      ),
      avgPoolBranch(name, 192),
    ],
    { name },
  ); // biome-ignore format: one branch per line
}

/**
 * torchvision's InceptionAux on Mixed_6e's 17×17×768: avg pool 5×5/3
 * (5×5), BasicConv2d 128 1×1, BasicConv2d 768 5×5 (1×1), adaptive average
 * pool 1×1, fc. No dropout, no ReLU after fc.
 */
function auxLogitsHead(numClasses: number): AuxiliaryHead {
  const name = 'AuxLogits';
  const head = new Sequential(
    [
      new AvgPool2d({ name: `${name}/avg_pool`, kernel: 5, stride: 3 }), // 5×5×768
      ...basicConv(`${name}/conv0`, 128, 1),                             // 5×5×128
      ...basicConv(`${name}/conv1`, 768, 5),                             // 1×1×768
      new GlobalPool2d({ name: `${name}/adaptive_avg_pool`, mode: 'avg' }), // 768
      new Dense({ name: `${name}/fc`, units: numClasses }),
    ],
    { name: `${name}/head` },
  ); // biome-ignore format: one layer per line
  return new AuxiliaryHead(head, { name });
}

/** Options of {@link inceptionV3}. */
export interface InceptionV3Options {
  numClasses?: number;
  /** Attach torchvision's AuxLogits after Mixed_6e; `applyWithAuxiliary` runs it. Needs a 299×299 input or larger. Default false. */
  auxLogits?: boolean;
}

/**
 * torchvision's `inception_v3` without `transform_input`: 23,834,568
 * trainable parameters with 1000 classes (27,161,264 with AuxLogits).
 */
export function inceptionV3({ numClasses = 1000, auxLogits = false }: InceptionV3Options = {}): Sequential {
  return sequential(
    [
      ...basicConv('Conv2d_1a_3x3', 32, 3, 2),                                  // 149×149×32
      ...basicConv('Conv2d_2a_3x3', 32, 3),                                     // 147×147×32
      ...basicConv('Conv2d_2b_3x3', 64, 3, 1, 1),                               // 147×147×64
      new MaxPool2d({ name: 'maxpool1', kernel: 3, stride: 2 }),                // 73×73×64
      ...basicConv('Conv2d_3b_1x1', 80, 1),                                     // 73×73×80
      ...basicConv('Conv2d_4a_3x3', 192, 3),                                    // 71×71×192
      new MaxPool2d({ name: 'maxpool2', kernel: 3, stride: 2 }),                // 35×35×192
      inceptionA('Mixed_5b', 32),                                               // 35×35×256
      inceptionA('Mixed_5c', 64),                                               // 35×35×288
      inceptionA('Mixed_5d', 64),                                               // 35×35×288
      inceptionB('Mixed_6a'),                                                   // 17×17×768
      inceptionC('Mixed_6b', 128),                                              // 17×17×768
      inceptionC('Mixed_6c', 160),                                              // 17×17×768
      inceptionC('Mixed_6d', 160),                                              // 17×17×768
      inceptionC('Mixed_6e', 192),                                              // 17×17×768
      ...(auxLogits ? [auxLogitsHead(numClasses)] : []),
      inceptionD('Mixed_7a'),                                                   // 8×8×1280
      inceptionE('Mixed_7b'),                                                   // 8×8×2048
      inceptionE('Mixed_7c'),                                                   // 8×8×2048
      new GlobalPool2d({ name: 'avgpool', mode: 'avg' }),                       // 2048
      new Dropout({ name: 'dropout', rate: 0.5 }),
      new Dense({ name: 'fc', units: numClasses }),                             // 1000
    ],
    { name: 'inception-v3' },
  ); // biome-ignore format: one layer per line
}

/** torchvision's Inception v3. */
export const inceptionV3Definition: ModelDefinition = {
  card: {
    name: 'inception-v3',
    aliases: ['inception_v3', 'inceptionv3'],
    family: 'inception',
    paper: {
      title: 'Rethinking the Inception Architecture for Computer Vision',
      authors: 'Christian Szegedy, Vincent Vanhoucke, Sergey Ioffe, Jonathon Shlens, Zbigniew Wojna',
      year: 2016,
      url: 'https://arxiv.org/abs/1512.00567',
    },
    input: [299, 299, 3],
    numClasses: 1000,
    reported: [
      {
        metric: 'top-1 error',
        value: 22.55,
        dataset: 'ImageNet-1k validation',
        source:
          "torchvision documentation, Inception_V3_Weights.IMAGENET1K_V1 (acc@1 77.294; torchvision's weights, single crop at 299)",
      },
      {
        metric: 'top-5 error',
        value: 6.44,
        dataset: 'ImageNet-1k validation',
        source:
          "torchvision documentation, Inception_V3_Weights.IMAGENET1K_V1 (acc@5 93.450; torchvision's weights, single crop at 299)",
      },
    ],
    deviations: [
      "Follows torchvision's `Inception3`, not the paper's Table 1: every convolution is BasicConv2d — convolution without bias, " +
        'BatchNorm (ε 0.001), ReLU; the running mean and variance are non-trainable weights ' +
        '(23,834,568 trainable parameters, 27,161,264 with AuxLogits, as torchvision counts).',
      "Module layout and branch order are torchvision's (Mixed_5b … Mixed_7c, InceptionA … E); branch_pool's 3×3/1 average " +
        'pool counts the padding (F.avg_pool2d default); max pools 3×3/2 in floor mode.',
      'transform_input (re-normalizing ImageNet inputs) is not part of the model.',
      "The auxiliary classifier (torchvision's InceptionAux after Mixed_6e: avg pool 5×5/3, BasicConv2d 128 1×1, BasicConv2d 768 5×5, " +
        'adaptive average pool, fc; no dropout) is attached with auxLogits: true; its loss weight belongs to the training loop.',
      'Adaptive average pools to 1×1 are global average pools; dropout 0.5 before fc; softmax left to the loss.',
      "Initialization uses the library's defaults, not torchvision's truncated normal (σ 0.1; 0.01 and 0.001 in the auxiliary head).",
    ],
    inputs:
      'Any input of at least 75×75 (74 leaves Mixed_6e 2×2, less than Mixed_7a’s 3×3/2 kernels; torchvision also requires 75×75); ' +
      'with auxLogits the input must be at least 299×299 (the auxiliary head needs Mixed_6e at 17×17: 5×5/3 pool then 5×5 conv). ' +
      'The global average pool makes the parameters independent of the input (299 → 8×8×2048 before it).',
  },
  build: ({ numClasses, auxLogits }) => inceptionV3({ numClasses, auxLogits }),
};

export const inceptionV3Models: ModelDefinition[] = [inceptionV3Definition];
