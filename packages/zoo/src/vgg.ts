// VGG: Simonyan & Zisserman 2015, "Very Deep Convolutional Networks for
// Large-Scale Image Recognition" (ICLR), Table 1, configurations A–E, laid
// out as torchvision's `vgg.py`: one table, one builder.
import {
  Activation,
  BatchNorm,
  ConfigError,
  Conv2d,
  Dense,
  Dropout,
  Flatten,
  type Layer,
  LocalResponseNorm,
  MaxPool2d,
  sequential,
} from '@convkit/layers';
import type { ModelCard, ModelDefinition } from './registry.js';

/**
 * One entry of a configuration: a number is a 3×3 convolution (stride 1,
 * padding 1) with that many filters, `[filters, 1]` a 1×1 convolution
 * (configuration C), 'LRN' local response normalization (A-LRN), 'M' a 2×2
 * max pool with stride 2. Every convolution is followed by a ReLU.
 */
export type VggEntry = number | readonly [filters: number, kernel: 1] | 'LRN' | 'M';

/** Table 1 of the paper, column by column: the convolutional part, before the classifier. */
export const cfgs = {
  //        block 1 (224²)      block 2 (112²)     block 3 (56²)                        block 4 (28²)                             block 5 (14²)                             → 7×7×512
  A:       [64, 'M',            128, 'M',          256, 256, 'M',                       512, 512, 'M',                            512, 512, 'M'],
  'A-LRN': [64, 'LRN', 'M',     128, 'M',          256, 256, 'M',                       512, 512, 'M',                            512, 512, 'M'],
  B:       [64, 64, 'M',        128, 128, 'M',     256, 256, 'M',                       512, 512, 'M',                            512, 512, 'M'],
  C:       [64, 64, 'M',        128, 128, 'M',     256, 256, [256, 1], 'M',             512, 512, [512, 1], 'M',                  512, 512, [512, 1], 'M'],
  D:       [64, 64, 'M',        128, 128, 'M',     256, 256, 256, 'M',                  512, 512, 512, 'M',                       512, 512, 512, 'M'],
  E:       [64, 64, 'M',        128, 128, 'M',     256, 256, 256, 256, 'M',             512, 512, 512, 512, 'M',                  512, 512, 512, 512, 'M'],
} as const satisfies Record<string, readonly VggEntry[]>; // biome-ignore format: the paper's Table 1

export type VggConfig = keyof typeof cfgs;

/** Five 2×2 max pools with stride 2 (rounding down): the input must be at least 32×32. */
function checkInput(model: string, [h, w, c]: [number, number, number]): void {
  if (h < 32 || w < 32) {
    throw new ConfigError(model, `five 2×2 max pools need at least a 32×32 input, received ${h}×${w}×${c}`);
  }
}

/**
 * The convolutional part: conv blocks named as in the VGG Caffe models
 * (`conv1_1` … `conv5_3`, `pool1` … `pool5`). With `batchNorm`, each
 * convolution keeps its bias (as torchvision's `vgg*_bn`) and is followed by
 * BatchNorm (`bn1_1`), then a ReLU (`relu1_1`).
 */
function features(cfg: readonly VggEntry[], batchNorm: boolean): Layer[] {
  const layers: Layer[] = [];
  let block = 1;
  let conv = 1;
  for (const entry of cfg) {
    if (entry === 'M') {
      layers.push(new MaxPool2d({ name: `pool${block}`, kernel: 2, stride: 2 }));
      block += 1;
      conv = 1;
    } else if (entry === 'LRN') {
      // "LRN as in Krizhevsky et al." (Section 2.2): AlexNet's k = 2, n = 5, α = 1e-4, β = 0.75.
      layers.push(new LocalResponseNorm({ name: `norm${block}`, size: 5, alpha: 1e-4, beta: 0.75, k: 2 }));
    } else {
      const [filters, kernel] = typeof entry === 'number' ? [entry, 3] : entry;
      const id = `${block}_${conv}`;
      const padding = kernel === 3 ? 1 : 0;
      if (batchNorm) {
        layers.push(
          new Conv2d({ name: `conv${id}`, filters, kernel, padding }),
          new BatchNorm({ name: `bn${id}` }),
          new Activation({ name: `relu${id}`, fn: 'relu' }),
        );
      } else {
        layers.push(new Conv2d({ name: `conv${id}`, filters, kernel, padding, activation: 'relu' }));
      }
      conv += 1;
    }
  }
  return layers;
}

/** Options of {@link vgg}. */
export interface VggOptions {
  input: [number, number, number];
  numClasses: number;
  /** torchvision's `vgg*_bn`: BatchNorm after every convolution. Default false. */
  batchNorm?: boolean;
}

/**
 * A VGG network: the configuration's convolutional part, then the classifier
 * of the paper (fc6 4096, ReLU, dropout 0.5, fc7 4096, ReLU, dropout 0.5,
 * fc8 `numClasses`). fc6 reads the flattened feature map: 7×7×512 = 25,088
 * at 224×224, 1×1×512 = 512 at 32×32 (CIFAR-10).
 */
export function vgg(config: VggConfig, { input, numClasses, batchNorm = false }: VggOptions): Layer {
  const name = `vgg-${config.toLowerCase()}${batchNorm ? '-bn' : ''}`;
  checkInput(name, input);
  return sequential(
    [
      ...features(cfgs[config], batchNorm),                             // 224×224×3 → 7×7×512 (h/32 × w/32 × 512)
      new Flatten({ name: 'flatten' }),                                 // 25,088
      new Dense({ name: 'fc6', units: 4096, activation: 'relu' }),      // 4096, 102,764,544
      new Dropout({ name: 'drop6', rate: 0.5 }),
      new Dense({ name: 'fc7', units: 4096, activation: 'relu' }),      // 4096, 16,781,312
      new Dropout({ name: 'drop7', rate: 0.5 }),
      new Dense({ name: 'fc8', units: numClasses }),                    // 1000, 4,097,000
    ],
    { name },
  ); // biome-ignore format: one layer per line
}

const paper = {
  title: 'Very Deep Convolutional Networks for Large-Scale Image Recognition',
  authors: 'Simonyan, Zisserman',
  year: 2015,
  url: 'https://arxiv.org/abs/1409.1556',
};

const inputs =
  'any input of at least 32×32: five 2×2 max pools divide the side by 32 (rounding down), and fc6 reads the flattened map — 224×224 → 7×7×512 (fc6 input 25,088); 32×32 (CIFAR-10) → 1×1×512 (fc6 input 512)';

const common = [
  "no adaptive average pool before the classifier (torchvision pools to 7×7): fc6's input size follows the input (512 at 32×32)",
  'softmax left to the loss: fc8 returns logits',
];

const bnDeviations = [
  'batch normalization is not in the paper (Ioffe & Szegedy came later): this is torchvision’s vgg*_bn layout — conv (with bias) → BatchNorm → ReLU',
  'trainable parameters match torchvision’s count (γ and β per channel); the running mean and variance are extra non-trainable weights, 2 per channel',
];

/** The ILSVRC-2014 submission: not one of these networks alone but an ensemble. */
const ensemble = {
  metric: 'top-5 error',
  value: 7.3,
  dataset: 'ImageNet (ILSVRC-2014 classification, test)',
  source:
    'Simonyan & Zisserman 2015, Section 4.5 and Table 7 (ILSVRC-2014 submission: an ensemble of 7 networks of configurations C, D and E, not this single network)',
} as const;

function definition(
  config: VggConfig,
  batchNorm: boolean,
  aliases: readonly string[],
  extra: Partial<Pick<ModelCard, 'reported'>> & { deviations?: readonly string[] } = {},
): ModelDefinition {
  const name = `vgg-${config.toLowerCase()}${batchNorm ? '-bn' : ''}`;
  return {
    card: {
      name,
      ...(aliases.length > 0 ? { aliases } : {}),
      family: 'VGG',
      paper,
      input: [224, 224, 3],
      numClasses: 1000,
      ...(extra.reported ? { reported: extra.reported } : {}),
      deviations: [...(batchNorm ? bnDeviations : []), ...(extra.deviations ?? []), ...common],
      inputs,
    },
    build: ({ input, numClasses }) => vgg(config, { input, numClasses, batchNorm }),
  };
}

export const vggModels: ModelDefinition[] = [
  definition('A', false, ['vgg11']),
  definition('A-LRN', false, [], {
    deviations: [
      'LRN with AlexNet’s parameters (k = 2, n = 5, α = 1e-4, β = 0.75, α/n convention); the paper only says "as in Krizhevsky et al."',
    ],
  }),
  definition('B', false, ['vgg13']),
  definition('C', false, []),
  definition('D', false, ['vgg16'], { reported: [ensemble] }),
  definition('E', false, ['vgg19'], { reported: [ensemble] }),
  definition('A', true, ['vgg11-bn']),
  definition('B', true, ['vgg13-bn']),
  definition('D', true, ['vgg16-bn']),
  definition('E', true, ['vgg19-bn']),
];
