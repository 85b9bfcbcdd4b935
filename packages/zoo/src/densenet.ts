// DenseNet: Huang, Liu, van der Maaten & Weinberger 2017, "Densely Connected
// Convolutional Networks" (CVPR), Table 1 (the ImageNet architectures),
// DenseNet-121 (k = 32, DenseNet-BC: bottleneck layers and compression 0.5),
// laid out as torchvision's `densenet.py` with its module names
// (`features/denseblock1/denselayer1/conv1` is `features.denseblock1.denselayer1.conv1`).
import {
  Activation,
  AvgPool2d,
  BatchNorm,
  Concat,
  ConfigError,
  Conv2d,
  Dense,
  GlobalPool2d,
  type Layer,
  MaxPool2d,
  sequential,
} from '@convkit/layers';
import type { ModelDefinition } from './registry.js';

/** Table 1's columns: growth rate k, dense layers per block, bottleneck width (× k), first width, compression θ. */
export interface DenseNetConfig {
  growth: number;
  blocks: readonly number[];
  /** The 1×1 bottleneck has `bnSize · growth` filters (the paper's 4k). */
  bnSize: number;
  /** Filters of conv0, the 7×7 stem (the paper's 2k). */
  initFeatures: number;
  /** A transition keeps `floor(θ · channels)`. */
  compression: number;
}

/** Table 1, the DenseNet-121 column: 6, 12, 24, 16 dense layers. Channels per block at 224×224×3 in the comments. */
export const densenet121Config: DenseNetConfig = {
  growth: 32,
  //       block 1 (56²)   block 2 (28²)   block 3 (14²)    block 4 (7²)
  blocks: [6,              12,             24,              16],
  //       64 → 256 → 128  128 → 512 → 256 256 → 1024 → 512 512 → 1024
  bnSize: 4,
  initFeatures: 64,
  compression: 0.5,
}; // biome-ignore format: the paper's Table 1

/** BatchNorm then ReLU: DenseNet's pre-activation order (BN-ReLU-Conv, Section 3 "Composite function"). */
const bnRelu = (name: string, suffix = ''): Layer[] => [
  new BatchNorm({ name: `${name}/norm${suffix}` }),
  new Activation({ name: `${name}/relu${suffix}`, fn: 'relu' }),
];

/**
 * A dense layer (torchvision `_DenseLayer`): BN-ReLU-conv 1×1 (`bnSize · k`
 * filters), BN-ReLU-conv 3×3 (k filters), its k maps concatenated after its
 * input — `concat([identity, branch])`, so every later layer reads all earlier maps.
 */
function denseLayer(name: string, { growth, bnSize }: DenseNetConfig): Layer {
  return new Concat(
    [
      sequential([], { name: `${name}/input` }),
      sequential(
        [
          ...bnRelu(name, '1'),
          new Conv2d({ name: `${name}/conv1`, filters: bnSize * growth, kernel: 1, bias: false }),
          ...bnRelu(name, '2'),
          new Conv2d({ name: `${name}/conv2`, filters: growth, kernel: 3, padding: 1, bias: false }),
        ],
        { name: `${name}/new` },
      ),
    ],
    { name },
  );
}

/** A transition (torchvision `_Transition`): BN-ReLU-conv 1×1 to `filters` (compression), 2×2 average pool, stride 2. */
function transition(name: string, filters: number): Layer {
  return sequential(
    [
      ...bnRelu(name),
      new Conv2d({ name: `${name}/conv`, filters, kernel: 1, bias: false }),
      new AvgPool2d({ name: `${name}/pool`, kernel: 2, stride: 2 }),
    ],
    { name },
  );
}

/** The dense blocks and the transitions between them, after the stem. */
function blocks(config: DenseNetConfig): Layer[] {
  const layers: Layer[] = [];
  let channels = config.initFeatures;
  config.blocks.forEach((count, b) => {
    const block = `features/denseblock${b + 1}`;
    const dense = Array.from({ length: count }, (_, l) => denseLayer(`${block}/denselayer${l + 1}`, config));
    layers.push(sequential(dense, { name: block }));
    channels += count * config.growth;
    if (b < config.blocks.length - 1) {
      channels = Math.floor(channels * config.compression);
      layers.push(transition(`features/transition${b + 1}`, channels));
    }
  });
  return layers;
}

/** Options of {@link densenet}. */
export interface DenseNetOptions {
  input: [number, number, number];
  numClasses: number;
}

/** conv0 and pool0 (stride 2 each) and three 2×2/2 average pools: below 29×29 the last pool gets less than 2×2. */
const MIN_SIDE = 29;

/**
 * A DenseNet-BC: stem (conv0 7×7/2, BN, ReLU, max pool 3×3/2 padding 1), the
 * dense blocks with transitions, final BN + ReLU, global average pool,
 * then a Linear classifier.
 *
 * @example
 * ```ts
 * summary(densenet(densenet121Config, { input: [224, 224, 3], numClasses: 1000 }), { input: [224, 224, 3] }).totals.trainable; // 7,978,856
 * ```
 */
export function densenet(config: DenseNetConfig, { input, numClasses }: DenseNetOptions, name = 'densenet'): Layer {
  const [h, w, c] = input;
  if (h < MIN_SIDE || w < MIN_SIDE) {
    throw new ConfigError(
      name,
      `conv0 and pool0 (stride 2 each) and three 2×2/2 transitions need at least a ${MIN_SIDE}×${MIN_SIDE} input, received ${h}×${w}×${c}`,
    );
  }
  return sequential(
    [
      new Conv2d({ name: 'features/conv0', filters: config.initFeatures, kernel: 7, stride: 2, padding: 3, bias: false }), // 112×112×64
      ...bnRelu('features', '0'),
      new MaxPool2d({ name: 'features/pool0', kernel: 3, stride: 2, padding: 1 }),  // 56×56×64
      ...blocks(config),                                                            // 7×7×1024
      new BatchNorm({ name: 'features/norm5' }),
      new Activation({ name: 'relu', fn: 'relu' }),                                 // torchvision's F.relu in forward()
      new GlobalPool2d({ name: 'avgpool', mode: 'avg' }),                           // 1024
      new Dense({ name: 'classifier', units: numClasses }),                         // 1000, 1,025,000
    ],
    { name },
  ); // biome-ignore format: one layer per line
}

const paper = {
  title: 'Densely Connected Convolutional Networks',
  authors: 'Huang, Liu, van der Maaten, Weinberger',
  year: 2017,
  url: 'https://arxiv.org/abs/1608.06993',
};

export const densenetModels: ModelDefinition[] = [
  {
    card: {
      name: 'densenet121',
      aliases: ['densenet-121'],
      family: 'DenseNet',
      paper,
      input: [224, 224, 3],
      numClasses: 1000,
      reported: [
        {
          metric: 'top-1 error',
          value: 25.02,
          dataset: 'ImageNet (ILSVRC-2012, validation)',
          source: 'Huang et al. 2017, Table 3, DenseNet-121 (k = 32), single-crop (10-crop: 23.61)',
        },
        {
          metric: 'top-5 error',
          value: 7.71,
          dataset: 'ImageNet (ILSVRC-2012, validation)',
          source: 'Huang et al. 2017, Table 3, DenseNet-121 (k = 32), single-crop (10-crop: 6.66)',
        },
      ],
      deviations: [
        'torchvision’s layout and module names: BN-ReLU-conv order, the dense layer’s new maps concatenated after its input, transitions BN-ReLU-conv 1×1 then 2×2/2 average pool, a final BN + ReLU before the global pool',
        'trainable parameters (7,978,856) are torchvision 0.14’s count: convolution kernels (no biases), γ and β of each batch norm, the classifier’s weights and biases; the running mean and variance (83,648) are extra non-trainable weights',
        'the authors’ Caffe model (the ONNX light densenet121) writes each batch norm as BatchNorm + Scale and the classifier as a 1×1 convolution fc6 after the global pool: the same arithmetic',
        'no dropout (the paper uses none on ImageNet; torchvision’s drop_rate defaults to 0); softmax is left to the loss',
      ],
      inputs: `any input of at least ${MIN_SIDE}×${MIN_SIDE}: the stem and three transitions divide the side by 32 (224 → 7×7×1024), and the global average pool makes the parameter count independent of the input`,
    },
    build: ({ input, numClasses }) => densenet(densenet121Config, { input, numClasses }, 'densenet121'),
  },
];
