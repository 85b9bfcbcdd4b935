/**
 * GoogLeNet (Szegedy et al. 2015, "Going Deeper with Convolutions", CVPR),
 * Table 1, as BVLC's Caffe `bvlc_googlenet` defines it, and torchvision's
 * `googlenet` (BatchNorm everywhere, 3×3 in the "5×5" branch, no LRN).
 *
 * Shapes in the comments are height × width × channels at 224×224×3.
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
  Flatten,
  GlobalPool2d,
  inception,
  type Layer,
  LocalResponseNorm,
  MaxPool2d,
  Sequential,
  sequential,
} from '@convkit/layers';
import type { ModelDefinition } from './registry.js';

/** One inception module of Table 1: the filter counts of its six convolutions. */
export interface InceptionRow {
  /** Table 1's name without "inception": `3a` … `5b`. */
  stage: string;
  c1: number;
  c3reduce: number;
  c3: number;
  c5reduce: number;
  c5: number;
  poolProj: number;
}

const row = (stage: string, c1: number, c3reduce: number, c3: number, c5reduce: number, c5: number, poolProj: number): InceptionRow =>
  ({ stage, c1, c3reduce, c3, c5reduce, c5, poolProj }); // biome-ignore format: one line

/**
 * Table 1's inception modules, in order, with a max pool 3×3/2 after `3b`
 * and after `4e` (`poolAfter`). Output channels are `c1 + c3 + c5 + poolProj`.
 */
export const inceptionTable: readonly InceptionRow[] = [
  //   stage  #1×1 #3×3r #3×3 #5×5r #5×5 pool proj    output at 224
  row('3a',    64,   96,  128,   16,   32,   32),    // 28×28×256
  row('3b',   128,  128,  192,   32,   96,   64),    // 28×28×480  → max pool 3/2: 14×14×480
  row('4a',   192,   96,  208,   16,   48,   64),    // 14×14×512
  row('4b',   160,  112,  224,   24,   64,   64),    // 14×14×512
  row('4c',   128,  128,  256,   24,   64,   64),    // 14×14×512
  row('4d',   112,  144,  288,   32,   64,   64),    // 14×14×528
  row('4e',   256,  160,  320,   32,  128,  128),    // 14×14×832  → max pool 3/2: 7×7×832
  row('5a',   256,  160,  320,   32,  128,  128),    // 7×7×832
  row('5b',   384,  192,  384,   48,  128,  128),    // 7×7×1024   → avg pool 7×7: 1×1×1024
]; // biome-ignore format: the paper's Table 1

/** The modules followed by a max pool 3×3/2 (pool3 after 3b, pool4 after 4e). */
export const poolAfter: readonly string[] = ['3b', '4e'];

const paper = {
  title: 'Going Deeper with Convolutions',
  authors:
    'Christian Szegedy, Wei Liu, Yangqing Jia, Pierre Sermanet, Scott Reed, Dragomir Anguelov, Dumitru Erhan, Vincent Vanhoucke, Andrew Rabinovich',
  year: 2015,
  url: 'https://arxiv.org/abs/1409.4842',
} as const;

/**
 * The paper's auxiliary classifier, after 4a and 4d (Section 5): 5×5/3
 * average pool (14×14 → 4×4), 1×1 conv with 128 filters and ReLU, a 1024
 * fully connected layer with ReLU, dropout 0.7, the classifier; its loss
 * counts with weight 0.3 in training. torchvision's: the same with a
 * BasicConv2d (no bias, batch norm) and ReLU on fc1.
 */
function auxiliaryHead(name: string, numClasses: number, torchvision: boolean): AuxiliaryHead {
  const conv = torchvision
    ? basicConv(`${name}/conv`, 128, 1)
    : [new Conv2d({ name: `${name}/conv`, filters: 128, kernel: 1, activation: 'relu' })];
  return new AuxiliaryHead(
    new Sequential(
      [
        new AvgPool2d({ name: `${name}/ave_pool`, kernel: 5, stride: 3 }), // 4×4×C
        ...conv,                                                           // 4×4×128
        new Flatten({ name: `${name}/flatten` }),                          // 2048
        new Dense({ name: `${name}/fc`, units: 1024, activation: 'relu' }),
        new Dropout({ name: `${name}/drop_fc`, rate: 0.7 }),
        new Dense({ name: `${name}/classifier`, units: numClasses }),
      ],
      { name: `${name}/head` },
    ),
    { name },
  ); // biome-ignore format: one layer per line
}

/** The modules 3a … 5b with the pools between, and the auxiliary heads after 4a and 4d when asked for. */
function withAuxiliary(stage: string, block: Layer, aux: boolean, numClasses: number, torchvision: boolean): Layer[] {
  if (!aux || (stage !== '4a' && stage !== '4d')) return [block];
  const name = torchvision ? (stage === '4a' ? 'aux1' : 'aux2') : stage === '4a' ? 'loss1' : 'loss2';
  return [block, auxiliaryHead(name, numClasses, torchvision)];
}

/** Caffe's LRN (`local_size` 5, α 1e-4 in the α/n convention, β 0.75, k 1). */
const lrn = (name: string) => new LocalResponseNorm({ name, size: 5, alpha: 1e-4, beta: 0.75, k: 1 });

/** Options of {@link googlenet} and {@link googlenetTorchvision}. */
export interface GoogLeNetOptions {
  numClasses?: number;
  /** Attach the two auxiliary classifiers (after 4a and 4d); `applyWithAuxiliary` runs them. Default false. */
  auxLogits?: boolean;
}

/**
 * BVLC's Caffe GoogLeNet without the auxiliary heads: convolutions with bias
 * and ReLU (bias initialized to 0.2 as in Caffe), LRN after pool1 and
 * conv2, max pools 3×3/2 rounding up (Caffe), global average pooling,
 * dropout 0.4, the classifier. 6,998,552 parameters with 1000 classes.
 */
export function googlenet({ numClasses = 1000, auxLogits = false }: GoogLeNetOptions = {}): Sequential {
  const biasInit = { constant: 0.2 } as const;
  const pool = (name: string) => new MaxPool2d({ name, kernel: 3, stride: 2, ceilMode: true });
  const modules = inceptionTable.flatMap(({ stage, ...widths }) => {
    const block = inception({ ...widths, biasInit, name: `inception_${stage}` });
    const withHead = withAuxiliary(stage, block, auxLogits, numClasses, false);
    return poolAfter.includes(stage) ? [...withHead, pool(`pool${stage[0] === '3' ? 3 : 4}/3x3_s2`)] : withHead;
  });
  return sequential(
    [
      new Conv2d({ name: 'conv1/7x7_s2', filters: 64, kernel: 7, stride: 2, padding: 3, activation: 'relu', biasInit }), // 112×112×64
      pool('pool1/3x3_s2'),                                                                                                // 56×56×64
      lrn('pool1/norm1'),
      new Conv2d({ name: 'conv2/3x3_reduce', filters: 64, kernel: 1, activation: 'relu', biasInit }),                     // 56×56×64
      new Conv2d({ name: 'conv2/3x3', filters: 192, kernel: 3, padding: 1, activation: 'relu', biasInit }),               // 56×56×192
      lrn('conv2/norm2'),
      pool('pool2/3x3_s2'),                                                                                                // 28×28×192
      ...modules,                                                                                                          // 3a … 5b: 7×7×1024
      new GlobalPool2d({ name: 'pool5/7x7_s1', mode: 'avg' }),                                                             // 1024
      new Dropout({ name: 'pool5/drop_7x7_s1', rate: 0.4 }),
      new Dense({ name: 'loss3/classifier', units: numClasses }),                                                         // 1000
    ],
    { name: 'googlenet' },
  ); // biome-ignore format: one layer per line
}

/** torchvision's BasicConv2d: convolution without bias, BatchNorm (ε 0.001), ReLU. */
function basicConv(name: string, filters: number, kernel: number, stride = 1, padding = 0): Layer[] {
  return [
    new Conv2d({ name: `${name}/conv`, filters, kernel, stride, padding, bias: false }),
    new BatchNorm({ name: `${name}/bn`, epsilon: 0.001 }),
    new Activation({ name: `${name}/relu`, fn: 'relu' }),
  ];
}

/** torchvision's `Inception`: its branch3 is 1×1 → 3×3 (padding 1), not 5×5. */
function torchvisionInception({ stage, c1, c3reduce, c3, c5reduce, c5, poolProj }: InceptionRow): Concat {
  const n = `inception${stage}`;
  return new Concat(
    [
      new Sequential(basicConv(`${n}/branch1`, c1, 1), { name: `${n}/branch1` }),
      new Sequential([...basicConv(`${n}/branch2/0`, c3reduce, 1), ...basicConv(`${n}/branch2/1`, c3, 3, 1, 1)], {
        name: `${n}/branch2`,
      }),
      new Sequential([...basicConv(`${n}/branch3/0`, c5reduce, 1), ...basicConv(`${n}/branch3/1`, c5, 3, 1, 1)], {
        name: `${n}/branch3`,
      }),
      new Sequential(
        [
          new MaxPool2d({ name: `${n}/branch4/0`, kernel: 3, stride: 1, padding: 1, ceilMode: true }),
          ...basicConv(`${n}/branch4/1`, poolProj, 1),
        ],
        { name: `${n}/branch4` },
      ),
    ],
    { name: n },
  );
}

/**
 * torchvision's `googlenet` (without `transform_input`, without the
 * auxiliary heads): BasicConv2d everywhere, no LRN, conv1 7×7/2, maxpool1
 * 3/2, conv2 1×1, conv3 3×3, maxpool2 3/2, the modules with maxpool3 3/2
 * and maxpool4 2/2 (all ceil mode), adaptive average pool, dropout 0.2, fc.
 * 6,624,904 trainable parameters with 1000 classes.
 */
export function googlenetTorchvision({ numClasses = 1000, auxLogits = false }: GoogLeNetOptions = {}): Sequential {
  const modules = inceptionTable.flatMap((r) => {
    const block = torchvisionInception(r);
    if (r.stage === '4a' || r.stage === '4d') return withAuxiliary(r.stage, block, auxLogits, numClasses, true);
    if (r.stage === '3b') return [block, new MaxPool2d({ name: 'maxpool3', kernel: 3, stride: 2, ceilMode: true })];
    if (r.stage === '4e') return [block, new MaxPool2d({ name: 'maxpool4', kernel: 2, stride: 2, ceilMode: true })];
    return [block];
  });
  return sequential(
    [
      ...basicConv('conv1', 64, 7, 2, 3),                                         // 112×112×64
      new MaxPool2d({ name: 'maxpool1', kernel: 3, stride: 2, ceilMode: true }),  // 56×56×64
      ...basicConv('conv2', 64, 1),                                               // 56×56×64
      ...basicConv('conv3', 192, 3, 1, 1),                                        // 56×56×192
      new MaxPool2d({ name: 'maxpool2', kernel: 3, stride: 2, ceilMode: true }),  // 28×28×192
      ...modules,                                                                 // 3a … 5b: 7×7×1024
      new GlobalPool2d({ name: 'avgpool', mode: 'avg' }),                         // 1024
      new Dropout({ name: 'dropout', rate: 0.2 }),
      new Dense({ name: 'fc', units: numClasses }),                               // 1000
    ],
    { name: 'googlenet-torchvision' },
  ); // biome-ignore format: one layer per line
}

/** The smallest side: the last 3×3/2 (Caffe) or 2×2/2 (torchvision) max pool needs a map of at least 3 or 2. */
const inputsOf = (minSide: number) =>
  `Any input of at least ${minSide}×${minSide} (smaller ones leave the last max pool less than its kernel); ` +
  'the global average pool makes the parameters independent of the input (224 → 7×7×1024 before it).';

const reported = [
  {
    metric: 'top-5 error',
    value: 6.67,
    dataset: 'ILSVRC-2014 test',
    source: 'Szegedy et al. 2015, Tables 2 and 3 (ensemble of 7 models, 144 crops; not this single network)',
  },
] as const;

/** BVLC's Caffe GoogLeNet (the paper's Table 1). */
export const googlenetCaffe: ModelDefinition = {
  card: {
    name: 'googlenet',
    aliases: ['inception-v1', 'bvlc_googlenet'],
    family: 'googlenet',
    paper,
    input: [224, 224, 3],
    numClasses: 1000,
    reported,
    deviations: [
      "Follows BVLC's Caffe `bvlc_googlenet`: max pools round up (ceil mode), giving Table 1's 112, 56, 28, 14, 7; " +
        'the ONNX conversion (inception_v1) uses floor pools with explicit pads (112, 55, 27, 13, 6) and the same weights.',
      'LRN after pool1 and after conv2/3x3 (Caffe: local_size 5, α 1e-4 in the α/n convention, β 0.75, k 1); Table 1 has no LRN rows.',
      'The final 7×7/1 average pool is a global average pool (identical at 224; at other inputs it keeps 1024 features).',
      'the auxiliary classifiers (after 4a and 4d, training only) are attached with auxLogits: true; their 0.3 loss weight belongs to the training loop',
      'Biases initialized to 0.2 as in the Caffe model; softmax left to the loss.',
    ],
    inputs: inputsOf(47),
  },
  build: ({ numClasses, auxLogits }) => googlenet({ numClasses, auxLogits }),
};

/** torchvision's GoogLeNet. */
export const googlenetTorchvisionDefinition: ModelDefinition = {
  card: {
    name: 'googlenet-torchvision',
    aliases: ['torchvision-googlenet'],
    family: 'googlenet',
    paper,
    input: [224, 224, 3],
    numClasses: 1000,
    reported,
    deviations: [
      'Follows torchvision, not the paper: every convolution is BasicConv2d — convolution without bias, BatchNorm (ε 0.001), ReLU; ' +
        'the running mean and variance are non-trainable weights (6,624,904 trainable parameters as torchvision counts).',
      'The "5×5" branch uses a 3×3 kernel (padding 1), a known torchvision quirk kept for weight compatibility.',
      'No LRN; max pools 3×3/2 in ceil mode, except maxpool4 (after 4e) which is 2×2/2 as in torchvision.',
      "Adaptive average pool to 1×1 is a global average pool; dropout 0.2 (the paper's 0.4); transform_input is not part of the model.",
      "torchvision's auxiliary heads (BasicConv2d, fc1 1024 with ReLU, dropout 0.7) are attached with auxLogits: true",
    ],
    inputs: inputsOf(31),
  },
  build: ({ numClasses, auxLogits }) => googlenetTorchvision({ numClasses, auxLogits }),
};

export const googlenetModels: ModelDefinition[] = [googlenetCaffe, googlenetTorchvisionDefinition];
