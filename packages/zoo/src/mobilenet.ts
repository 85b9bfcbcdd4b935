// MobileNet v1 (Howard et al. 2017, Table 1) and MobileNet v2 (Sandler et
// al. 2018, Table 2, as torchvision's `mobilenet_v2`): one table each, one
// builder each. A depthwise convolution is a Conv2d with `groups` equal to
// its input channels; every convolution is bias-free and followed by
// BatchNorm, as in both papers.
import {
  Activation,
  type ActivationName,
  add,
  BatchNorm,
  Conv2d,
  Dense,
  Dropout,
  GlobalPool2d,
  type Layer,
  Sequential,
  sequential,
} from '@convkit/layers';
import type { ModelDefinition } from './registry.js';

/** Convolution (no bias) → BatchNorm → activation, named `${name}`, `${name}_bn`, `${name}_relu` (Keras' MobileNet names). */
function convBn(name: string, filters: number, kernel: number, stride: number, groups = 1): Layer[] {
  return [
    new Conv2d({ name, filters, kernel, stride, padding: kernel === 3 ? 1 : 0, groups, bias: false }),
    new BatchNorm({ name: `${name}_bn` }),
    new Activation({ name: `${name}_relu`, fn: 'relu' }),
  ];
}

/**
 * MobileNet v1, Table 1: after the first full 3×3/2 convolution (32 filters),
 * 13 depthwise separable blocks `[pointwise filters, depthwise stride]`. The
 * paper's table prints the last depthwise row as "s2", but its input and
 * output are both 7×7: the stride is 1 there (as every implementation has it).
 */
export const MOBILENET_V1_BLOCKS = [
  // 112²            56²                   28²                   14²
  [64, 1],  [128, 2], [128, 1],  [256, 2], [256, 1],  [512, 2],
  [512, 1], [512, 1], [512, 1], [512, 1], [512, 1],               // 5 × at 14²
  [1024, 2], [1024, 1],                                           // 7²
] as const satisfies readonly (readonly [filters: number, stride: 1 | 2])[]; // biome-ignore format: the paper's Table 1

/** MobileNet v1 at width 1.0: 4,231,976 trainable parameters, 568,740,352 MACs at 224×224×3. */
export function mobilenetV1({ numClasses }: { numClasses: number }): Sequential {
  const blocks: Layer[] = [];
  let channels = 32;
  MOBILENET_V1_BLOCKS.forEach(([filters, stride], k) => {
    blocks.push(
      ...convBn(`conv_dw_${k + 1}`, channels, 3, stride, channels), // depthwise 3×3: groups = channels
      ...convBn(`conv_pw_${k + 1}`, filters, 1, 1), //                   pointwise 1×1
    );
    channels = filters;
  });
  return sequential(
    [
      ...convBn('conv1', 32, 3, 2),                          // 112×112×32
      ...blocks,                                             // 7×7×1024
      new GlobalPool2d({ name: 'avg_pool', mode: 'avg' }),   // 1024 (the paper's 7×7 average pool)
      new Dense({ name: 'fc', units: numClasses }),          // 1000: 1,025,000
    ],
    { name: 'mobilenet-v1' },
  ); // biome-ignore format: one layer per line
}

/** MobileNet v2, Table 2: `[expansion t, output channels c, repeats n, first stride s]`. */
export const MOBILENET_V2_SETTINGS = [
  [1, 16, 1, 1],  // 112² → 112²
  [6, 24, 2, 2],  //       → 56²
  [6, 32, 3, 2],  //       → 28²
  [6, 64, 4, 2],  //       → 14²
  [6, 96, 3, 1],  //       → 14²
  [6, 160, 3, 2], //       → 7²
  [6, 320, 1, 1], //       → 7²
] as const satisfies readonly (readonly [t: number, c: number, n: number, s: number])[]; // biome-ignore format: the paper's Table 2

/** torchvision's Conv2dNormActivation at `features.${path}`: conv `…/0`, BatchNorm `…/1`, ReLU6 `…/2`. */
function convBnRelu6(path: string, filters: number, kernel: number, stride = 1, groups = 1): Layer[] {
  const fn: ActivationName = 'relu6';
  return [
    new Conv2d({ name: `${path}/0`, filters, kernel, stride, padding: (kernel - 1) / 2, groups, bias: false }),
    new BatchNorm({ name: `${path}/1` }),
    new Activation({ name: `${path}/2`, fn }),
  ];
}

/**
 * torchvision's InvertedResidual at `features/${index}`: 1×1 expansion to
 * `t·cin` (absent when t = 1), ReLU6; depthwise 3×3 with the stride, ReLU6;
 * linear 1×1 projection to `cout` with BatchNorm and no activation (the
 * linear bottleneck). With stride 1 and cin = cout the input is added back.
 */
export function invertedResidual(index: number, cin: number, cout: number, stride: number, t: number): Layer {
  const base = `features/${index}`;
  const hidden = cin * t;
  const expand = t === 1 ? [] : convBnRelu6(`${base}/conv/0`, hidden, 1);
  const k = t === 1 ? 0 : 1; // torchvision's indices inside `.conv` shift by one without the expansion
  const body = [
    ...expand,
    ...convBnRelu6(`${base}/conv/${k}`, hidden, 3, stride, hidden),
    new Conv2d({ name: `${base}/conv/${k + 1}`, filters: cout, kernel: 1, bias: false }),
    new BatchNorm({ name: `${base}/conv/${k + 2}` }),
  ];
  if (stride === 1 && cin === cout) {
    return add([new Sequential(body, { name: `${base}/conv` }), new Sequential([], { name: `${base}/identity` })], {
      name: base,
    });
  }
  return new Sequential(body, { name: base });
}

/** MobileNet v2 at width 1.0, torchvision's layout: 3,504,872 trainable parameters with 1000 classes. */
export function mobilenetV2({ numClasses }: { numClasses: number }): Sequential {
  const blocks: Layer[] = [];
  let channels = 32;
  for (const [t, c, n, s] of MOBILENET_V2_SETTINGS) {
    for (let i = 0; i < n; i++) {
      blocks.push(invertedResidual(blocks.length + 1, channels, c, i === 0 ? s : 1, t));
      channels = c;
    }
  }
  return sequential(
    [
      ...convBnRelu6('features/0', 32, 3, 2),                       // 112×112×32
      ...blocks,                                                    // features/1 … 17: 7×7×320
      ...convBnRelu6(`features/${blocks.length + 1}`, 1280, 1),     // 7×7×1280
      new GlobalPool2d({ name: 'avgpool', mode: 'avg' }),           // 1280
      new Dropout({ name: 'classifier/0', rate: 0.2 }),
      new Dense({ name: 'classifier/1', units: numClasses }),       // 1000: 1,281,000
    ],
    { name: 'mobilenet-v2' },
  ); // biome-ignore format: one layer per line
}

const inputs =
  'any input of at least 1×1: every stride-2 convolution pads 1 and gives ceil(n/2), and the global average pool makes the parameters independent of the input (224 → 7×7 before it; 32 → 1×1)';

const mobilenetV1Definition: ModelDefinition = {
  card: {
    name: 'mobilenet-v1',
    family: 'MobileNet',
    paper: {
      title: 'MobileNets: Efficient Convolutional Neural Networks for Mobile Vision Applications',
      authors: 'Howard, Zhu, Chen, Kalenichenko, Wang, Weyand, Andreetto, Adam',
      year: 2017,
      url: 'https://arxiv.org/abs/1704.04861',
    },
    input: [224, 224, 3],
    numClasses: 1000,
    reported: [
      {
        metric: 'top-1 error',
        value: 29.4,
        dataset: 'ImageNet (ILSVRC-2012 validation)',
        source: 'Howard et al. 2017, Table 8 (1.0 MobileNet-224: 70.6% accuracy, 569 M mult-adds, 4.2 M parameters)',
      },
    ],
    deviations: [
      'Width multiplier 1.0 and resolution 224 only (the paper’s α and ρ are not options).',
      'Parameters: 4,231,976 trainable = convolution kernels 3,185,088 (no biases: BatchNorm follows every convolution) + fc 1,025,000 (weights and bias) + BatchNorm γ and β 21,888; the running mean and variance add 21,888 non-trainable (4,253,864 in all). Without BatchNorm, 4,210,088. Each rounds to the paper’s 4.2 M.',
      'MACs at 224: 568,740,352 (convolutions and fc, one multiply-add each; no BatchNorm, ReLU, pooling or bias additions), the paper’s 569 M.',
      'Convolutions pad 1 on every side (PyTorch’s convention); the TensorFlow original pads "same" (0 before, 1 after at stride 2): same sizes, same counts.',
      'The paper’s 7×7 average pool is a global average pool; softmax left to the loss.',
    ],
    inputs,
  },
  build: ({ numClasses }) => mobilenetV1({ numClasses }),
};

const mobilenetV2Definition: ModelDefinition = {
  card: {
    name: 'mobilenet-v2',
    aliases: ['mobilenet_v2'],
    family: 'MobileNet',
    paper: {
      title: 'MobileNetV2: Inverted Residuals and Linear Bottlenecks',
      authors: 'Sandler, Howard, Zhu, Zhmoginov, Chen',
      year: 2018,
      url: 'https://arxiv.org/abs/1801.04381',
    },
    input: [224, 224, 3],
    numClasses: 1000,
    reported: [
      {
        metric: 'top-1 error',
        value: 28.0,
        dataset: 'ImageNet (ILSVRC-2012 validation)',
        source: 'Sandler et al. 2018, Table 4 (MobileNetV2: 72.0% top-1, 3.4 M parameters, 300 M multiply-adds)',
      },
    ],
    deviations: [
      "Follows torchvision's `mobilenet_v2` (width 1.0): module names are torchvision's (`features/3/conv/1/0` is `features.3.conv.1.0`); 3,504,872 trainable parameters as torchvision counts, plus 34,112 BatchNorm running statistics (non-trainable).",
      'Convolutions have no bias; BatchNorm ε 1e-5; ReLU6 after the expansion and the depthwise convolution, none after the projection (the linear bottleneck).',
      'The residual add is used where stride is 1 and input and output channels are equal (torchvision’s use_res_connect).',
      'Dropout 0.2 before the classifier (torchvision); softmax left to the loss; initialization is the library’s, not torchvision’s.',
    ],
    inputs,
  },
  build: ({ numClasses }) => mobilenetV2({ numClasses }),
};

export const mobilenetModels: ModelDefinition[] = [mobilenetV1Definition, mobilenetV2Definition];
