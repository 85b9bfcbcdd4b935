/**
 * BN-Inception (Ioffe & Szegedy 2015, "Batch Normalization: Accelerating
 * Deep Network Training by Reducing Internal Covariate Shift", ICML),
 * Figure 5 of the appendix, laid out as the ONNX model zoo's `inception_v2`
 * (a conversion of the Caffe BN-Inception): every convolution without bias,
 * then BatchNorm, then ReLU; max pools 3×3/2 rounding down with one row and
 * column of padding at the end; 3×3 branches instead of 5×5, a second 3×3
 * ("double 3×3") branch, stride-2 modules 3c and 4e.
 *
 * Shapes in the comments are height × width × channels at 224×224×3.
 */
import {
  Activation,
  AvgPool2d,
  BatchNorm,
  Concat,
  Conv2d,
  Dense,
  GlobalPool2d,
  type Layer,
  MaxPool2d,
  Sequential,
} from '@convkit/layers';
import type { ModelDefinition } from './registry.js';

/** One module of Figure 5: its filter counts; `c1` and `poolProj` are 0 in the stride-2 modules (3c, 4e). */
export interface BnInceptionRow {
  stage: string;
  c1: number;
  c3reduce: number;
  c3: number;
  d3reduce: number;
  d3: number;
  /** The pool branch: average or max pool 3×3/1 then a 1×1 projection; 'pass' is the stride-2 max pool alone. */
  pool: 'avg' | 'max' | 'pass';
  poolProj: number;
  /** 2 in the modules that halve the map (3c, 4e): their 3×3 convolutions and max pool have stride 2. */
  stride: 1 | 2;
}

const row = (stage: string, c1: number, c3reduce: number, c3: number, d3reduce: number, d3: number, pool: BnInceptionRow['pool'], poolProj: number, stride: 1 | 2 = 1): BnInceptionRow =>
  ({ stage, c1, c3reduce, c3, d3reduce, d3, pool, poolProj, stride }); // biome-ignore format: one line

/** Figure 5's modules, in order; output channels are `c1 + c3 + d3 + poolProj` (+ the input's in 3c and 4e). */
export const bnInceptionTable: readonly BnInceptionRow[] = [
  //   stage #1×1 #3×3r #3×3 #d3×3r #d3×3 pool    proj        output at 224
  row('3a',   64,   64,   64,   64,    96, 'avg',   32),    // 28×28×256
  row('3b',   64,   64,   96,   64,    96, 'avg',   64),    // 28×28×320
  row('3c',    0,  128,  160,   64,    96, 'pass',   0, 2), // 14×14×576
  row('4a',  224,   64,   96,   96,   128, 'avg',  128),    // 14×14×576
  row('4b',  192,   96,  128,   96,   128, 'avg',  128),    // 14×14×576
  row('4c',  160,  128,  160,  128,   160, 'avg',   96),    // 14×14×576
  row('4d',   96,  128,  192,  160,   192, 'avg',   96),    // 14×14×576
  row('4e',    0,  128,  192,  192,   256, 'pass',   0, 2), // 7×7×1024
  row('5a',  352,  192,  320,  160,   224, 'avg',  128),    // 7×7×1024
  row('5b',  352,  192,  320,  192,   224, 'max',  128),    // 7×7×1024
]; // biome-ignore format: the paper's Figure 5

/** Convolution (no bias), BatchNorm (ε 1e-5, the graph's), ReLU. */
function convBn(name: string, filters: number, kernel: number, stride = 1, padding = 0): Layer[] {
  return [
    new Conv2d({ name, filters, kernel, stride, padding, bias: false }),
    new BatchNorm({ name: `${name}/bn`, epsilon: 1e-5 }),
    new Activation({ name: `${name}/relu`, fn: 'relu' }),
  ];
}

/** The graph's max pool 3×3/2: floor mode, pads [0, 0, 1, 1] (one row and column at the end). */
const downPool = (name: string) =>
  new MaxPool2d({
    name,
    kernel: 3,
    stride: 2,
    padding: [
      [0, 1],
      [0, 1],
    ],
  });

function module({ stage, c1, c3reduce, c3, d3reduce, d3, pool, poolProj, stride }: BnInceptionRow): Concat {
  const n = `inception_${stage}`;
  const seq = (name: string, layers: Layer[]) => new Sequential(layers, { name: `${n}/${name}` });
  const branches: Layer[] = [];
  if (c1 > 0) branches.push(seq('1x1_branch', convBn(`${n}/1x1`, c1, 1)));
  branches.push(
    seq('3x3_branch', [...convBn(`${n}/3x3_reduce`, c3reduce, 1), ...convBn(`${n}/3x3`, c3, 3, stride, 1)]),
    seq('double3x3_branch', [
      ...convBn(`${n}/double3x3_reduce`, d3reduce, 1),
      ...convBn(`${n}/double3x3a`, d3, 3, 1, 1),
      ...convBn(`${n}/double3x3b`, d3, 3, stride, 1),
    ]),
  );
  if (pool === 'pass') branches.push(downPool(`${n}/pool`));
  else {
    const Pool = pool === 'avg' ? AvgPool2d : MaxPool2d;
    // ONNX AveragePool's default count_include_pad = 0: the border windows divide by their real elements.
    branches.push(
      seq('pool_branch', [
        new Pool({ name: `${n}/pool`, kernel: 3, stride: 1, padding: 1 }),
        ...convBn(`${n}/pool_proj`, poolProj, 1),
      ]),
    );
  }
  return new Concat(branches, { name: `${n}/output` });
}

/** Options of {@link bnInception}. */
export interface BnInceptionOptions {
  numClasses?: number;
}

/**
 * BN-Inception as the ONNX model zoo's `inception_v2` graph: 69 convolutions
 * each with BatchNorm and ReLU, 10 modules, global average pooling, the
 * classifier (no dropout in the graph). 11,194,984 trainable parameters and
 * 19,904 running statistics with 1000 classes.
 */
export function bnInception({ numClasses = 1000 }: BnInceptionOptions = {}): Sequential {
  const modules = bnInceptionTable.map(module);
  return new Sequential(
    [
      ...convBn('conv1/7x7_s2', 64, 7, 2, 3),            // 112×112×64
      downPool('pool1/3x3_s2'),                          // 56×56×64
      ...convBn('conv2/3x3_reduce', 64, 1),              // 56×56×64
      ...convBn('conv2/3x3', 192, 3, 1, 1),              // 56×56×192
      downPool('pool2/3x3_s2'),                          // 28×28×192
      ...modules,                                        // 3a … 5b: 7×7×1024
      new GlobalPool2d({ name: 'global_pool', mode: 'avg' }), // 1024
      new Dense({ name: 'loss3/classifier', units: numClasses }), // 1000
    ],
    { name: 'inception-v2' },
  ); // biome-ignore format: one layer per line
}

/** BN-Inception (ONNX model zoo `inception_v2`). */
export const bnInceptionDefinition: ModelDefinition = {
  card: {
    name: 'inception-v2',
    aliases: ['bn-inception'],
    family: 'inception',
    paper: {
      title: 'Batch Normalization: Accelerating Deep Network Training by Reducing Internal Covariate Shift',
      authors: 'Sergey Ioffe, Christian Szegedy',
      year: 2015,
      url: 'https://arxiv.org/abs/1502.03167',
    },
    input: [224, 224, 3],
    numClasses: 1000,
    reported: [
      {
        metric: 'top-5 error',
        value: 4.82,
        dataset: 'ImageNet (ILSVRC-2012 classification, test)',
        source:
          'Ioffe & Szegedy 2015, Section 4.2.3 and Table 3 (ensemble of 6 BN-Inception networks, multi-crop; not this single network)',
      },
    ],
    deviations: [
      "Follows the ONNX model zoo's `inception_v2`, a conversion of the Caffe BN-Inception: the graph's convolutions, BatchNorms, pools and Concats in order.",
      'The graph follows each BatchNormalization with a per-channel Mul and Add (Caffe Scale layer); here one BatchNorm with γ and β does both, so the graph counts 2 more floats per channel (11,234,792 vs 11,214,888 = 11,194,984 trainable + 19,904 running statistics).',
      'Max pools 3×3/2 round down with one row and column of padding at the end (the graph’s pads [0, 0, 1, 1]); at 224 this gives the paper’s 112, 56, 28, 14, 7.',
      'The final 7×7 average pool is a global average pool (identical at 224); the graph has no dropout before the classifier; softmax left to the loss.',
      'The paper’s Figure 5 is “Inception-v2” in later literature only loosely: this is BN-Inception, not the Inception-v2 of Szegedy et al. 2016.',
    ],
    inputs:
      'Square or not, each side from 32k − 1 to 32k + 6 (k ≥ 1: 31–38, 63–70, …, 223–230): in 3c and 4e a 3×3/2 convolution (pad 1) and the 3×3/2 max pool (end pad 1) agree only on even maps, as in the ONNX graph; the global average pool makes the parameters independent of the input (224 → 7×7×1024 before it).',
  },
  build: ({ numClasses }) => bnInception({ numClasses }),
};

export const inceptionV2Models: ModelDefinition[] = [bnInceptionDefinition];
