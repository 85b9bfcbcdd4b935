// ShuffleNet v1 with 4 groups as the ONNX model zoo's Caffe2 graph has it
// (`light_shufflenet.onnx` in the peer test data; Zhang et al. 2018's units
// with that graph's widths) and ShuffleNet v2 ×1.0 as torchvision's
// `shufflenet_v2_x1_0` (Ma et al. 2018). One table and one builder each.
import {
  Activation,
  AvgPool2d,
  add,
  BatchNorm,
  Concat,
  Conv2d,
  channelShuffle,
  channelSlice,
  Dense,
  GlobalPool2d,
  type Layer,
  MaxPool2d,
  Sequential,
  sequential,
} from '@convkit/layers';
import type { ModelDefinition } from './registry.js';

const bn = (name: string) => new BatchNorm({ name });
const relu = (name: string) => new Activation({ name, fn: 'relu' });
const conv = (name: string, filters: number, kernel: 1 | 3, stride = 1, groups = 1) =>
  new Conv2d({ name, filters, kernel, stride, padding: kernel === 3 ? 1 : 0, groups, bias: false });

/**
 * The Caffe2 graph's stages: `[units, output channels]`, the first unit of
 * each with stride 2. These are the paper's Table 1 widths for g = 4 at 0.5×
 * (136, 272, 544), but every unit's bottleneck is as wide as its branch
 * output (the paper: a quarter of the unit's output).
 */
export const SHUFFLENET_V1_G4_STAGES = [
  [4, 136], // 56² → 28²
  [8, 272], // → 14²
  [4, 544], // → 7²
] as const satisfies readonly (readonly [units: number, channels: number])[];

/**
 * One ShuffleNet v1 unit, named by the graph's counters (`gconv1_${2u}`,
 * `gconv3_${u}`, `gconv1_${2u+1}`): grouped 1×1, BN, ReLU, channel shuffle,
 * depthwise 3×3 with the stride, BN, grouped 1×1, BN. Stride 2 joins the
 * branch with a 3×3/2 average pool of the input by concatenation (branch
 * first, as the graph's Concat); stride 1 adds the input. ReLU after the join.
 */
function shuffleUnitV1(u: number, cin: number, cout: number, stride: number, groups: number, firstGroups: number) {
  const width = stride === 2 ? cout - cin : cout;
  const branch = new Sequential(
    [
      conv(`gconv1_${2 * u}`, width, 1, 1, firstGroups), bn(`gconv1_${2 * u}_bn`), relu(`gconv1_${2 * u}_relu`),
      channelShuffle({ name: `shuffle_${u}`, groups }),
      conv(`gconv3_${u}`, width, 3, stride, width), bn(`gconv3_${u}_bn`),
      conv(`gconv1_${2 * u + 1}`, width, 1, 1, groups), bn(`gconv1_${2 * u + 1}_bn`),
    ],
    { name: `unit_${u}/branch` },
  ); // biome-ignore format: one convolution per line
  const join =
    stride === 2
      ? new Concat([branch, new AvgPool2d({ name: `unit_${u}/avg_pool`, kernel: 3, stride: 2, padding: 1 })], {
          name: `unit_${u}/concat`,
        })
      : add([branch, new Sequential([], { name: `unit_${u}/identity` })], { name: `unit_${u}/sum` });
  return new Sequential([join, relu(`unit_${u}/relu`)], { name: `unit_${u}` });
}

/** Options of {@link shufflenetV1}. */
export interface ShuffleNetV1Options {
  numClasses: number;
  /**
   * Group stage 2's first 1×1 convolution as the Caffe2 graph does (true,
   * default), or leave it ungrouped as the paper does ("we do not apply group
   * convolution on the first pointwise layer because the number of input
   * channels is relatively small", Section 3.3).
   */
  groupFirstPointwise?: boolean;
}

/** ShuffleNet v1, g = 4, as the Caffe2 graph: 1,393,320 trainable parameters (+ 26,832 running statistics = the graph's 1,420,152). */
export function shufflenetV1({ numClasses, groupFirstPointwise = true }: ShuffleNetV1Options): Sequential {
  const groups = 4;
  const units: Layer[] = [];
  let channels = 24;
  for (const [repeats, cout] of SHUFFLENET_V1_G4_STAGES) {
    for (let i = 0; i < repeats; i++) {
      const first = units.length === 0 && !groupFirstPointwise ? 1 : groups;
      units.push(shuffleUnitV1(units.length, channels, cout, i === 0 ? 2 : 1, groups, first));
      channels = cout;
    }
  }
  return sequential(
    [
      new Conv2d({ name: 'conv3_0', filters: 24, kernel: 3, stride: 2, padding: 1 }), // 112×112×24, with bias
      bn('conv3_0_bn'),
      relu('conv3_0_relu'),
      new MaxPool2d({ name: 'pool_0', kernel: 3, stride: 2, padding: 1 }),            // 56×56×24
      ...units,                                                                        // 28² × 136, 14² × 272, 7² × 544
      new GlobalPool2d({ name: 'pool_1', mode: 'avg' }),                               // 544 (the graph's 7×7 average pool)
      new Dense({ name: 'pred', units: numClasses }),                                  // 1000: 545,000
    ],
    { name: 'shufflenet-v1-g4' },
  ); // biome-ignore format: one layer per line
}

/** torchvision's `shufflenet_v2_x1_0`: `[units, output channels]` of stage2 … stage4 (the first unit of each with stride 2). */
export const SHUFFLENET_V2_X1_STAGES = [
  [4, 116], // 56² → 28²
  [8, 232], // → 14²
  [4, 464], // → 7²
] as const satisfies readonly (readonly [units: number, channels: number])[];

/** torchvision's branch2: 1×1, BN, ReLU, depthwise 3×3 with the stride, BN, 1×1, BN, ReLU, at `${path}/0` … `/7`. */
function branch2(path: string, width: number, stride: number): Layer[] {
  return [
    conv(`${path}/0`, width, 1), bn(`${path}/1`), relu(`${path}/2`),
    conv(`${path}/3`, width, 3, stride, width), bn(`${path}/4`),
    conv(`${path}/5`, width, 1), bn(`${path}/6`), relu(`${path}/7`),
  ]; // biome-ignore format: one convolution per line
}

/** A stride-2 unit's join: branch1 (depthwise 3×3/2, BN, 1×1, BN, ReLU) and branch2, both of the whole input. */
function downsampleJoin(path: string, cin: number, width: number): Concat {
  const branch1 = new Sequential(
    [
      conv(`${path}/branch1/0`, cin, 3, 2, cin), bn(`${path}/branch1/1`),
      conv(`${path}/branch1/2`, width, 1), bn(`${path}/branch1/3`), relu(`${path}/branch1/4`),
    ],
    { name: `${path}/branch1` },
  ); // biome-ignore format: one convolution per line
  const second = new Sequential(branch2(`${path}/branch2`, width, 2), { name: `${path}/branch2` });
  return new Concat([branch1, second], { name: `${path}/concat` });
}

/** A stride-1 unit's join: torchvision's `x.chunk(2, dim=1)` — the first half kept, branch2 of the second half. */
function splitJoin(path: string, cin: number, width: number): Concat {
  const half = cin / 2;
  const second = new Sequential(
    [channelSlice({ name: `${path}/x2`, begin: half, size: half }), ...branch2(`${path}/branch2`, width, 1)],
    { name: `${path}/branch2` },
  );
  return new Concat([channelSlice({ name: `${path}/x1`, begin: 0, size: half }), second], { name: `${path}/concat` });
}

/**
 * torchvision's InvertedResidual at `${path}` (`stage2/0`): the join of
 * {@link downsampleJoin} (stride 2) or {@link splitJoin} (stride 1), then a
 * channel shuffle with 2 groups.
 */
export function shuffleUnitV2(path: string, cin: number, cout: number, stride: number): Sequential {
  const join = stride === 2 ? downsampleJoin(path, cin, cout / 2) : splitJoin(path, cin, cout / 2);
  return new Sequential([join, channelShuffle({ name: `${path}/shuffle`, groups: 2 })], { name: path });
}

/** ShuffleNet v2 ×1.0, torchvision's layout: 2,278,604 trainable parameters with 1000 classes. */
export function shufflenetV2({ numClasses }: { numClasses: number }): Sequential {
  const stages: Layer[] = [];
  let channels = 24;
  SHUFFLENET_V2_X1_STAGES.forEach(([repeats, cout], s) => {
    for (let i = 0; i < repeats; i++) {
      stages.push(shuffleUnitV2(`stage${s + 2}/${i}`, channels, cout, i === 0 ? 2 : 1));
      channels = cout;
    }
  });
  return sequential(
    [
      conv('conv1/0', 24, 3, 2), bn('conv1/1'), relu('conv1/2'),           // 112×112×24
      new MaxPool2d({ name: 'maxpool', kernel: 3, stride: 2, padding: 1 }), // 56×56×24
      ...stages,                                                            // 28² × 116, 14² × 232, 7² × 464
      conv('conv5/0', 1024, 1), bn('conv5/1'), relu('conv5/2'),             // 7×7×1024
      new GlobalPool2d({ name: 'mean', mode: 'avg' }),                      // 1024 (x.mean([2, 3]))
      new Dense({ name: 'fc', units: numClasses }),                         // 1000: 1,025,000
    ],
    { name: 'shufflenet-v2-x1.0' },
  ); // biome-ignore format: one layer per line
}

const inputs =
  'any input of at least 1×1: every stride-2 convolution and pool pads 1 and gives floor((n − 1)/2) + 1, and the global average pool makes the parameters independent of the input (224 → 7×7 before it; 32 → 1×1)';

const shufflenetV1Definition: ModelDefinition = {
  card: {
    name: 'shufflenet-v1-g4',
    family: 'ShuffleNet',
    paper: {
      title: 'ShuffleNet: An Extremely Efficient Convolutional Neural Network for Mobile Devices',
      authors: 'Zhang, Zhou, Lin, Sun',
      year: 2018,
      url: 'https://arxiv.org/abs/1707.01083',
    },
    input: [224, 224, 3],
    numClasses: 1000,
    deviations: [
      'Follows the ONNX model zoo’s Caffe2 ShuffleNet (light_shufflenet.onnx in the peer test data) layer for layer, not a row of the paper: 4 groups, stage widths 136, 272, 544 (the paper’s g = 4 at 0.5×), but each unit’s bottleneck is as wide as its branch output (the paper: a quarter of the unit’s output). No error is reported for this configuration.',
      'Stage 2’s first 1×1 convolution is grouped (24 → 112 in 4 groups), as in the graph; the paper leaves it ungrouped (shufflenetV1’s groupFirstPointwise: false).',
      'Parameters: 1,393,320 trainable (conv3_0 keeps its bias as in the graph; the other convolutions have none) + 26,832 BatchNorm running statistics = the graph’s 1,420,152 floats.',
      'Stride-2 units concatenate the branch first, then the 3×3/2 average pool (padding 1, padding not counted), as the graph’s Concat; ReLU after every join.',
      'The graph’s 7×7 average pool is a global average pool; its final Softmax is left to the loss (pred returns logits).',
    ],
    inputs,
  },
  build: ({ numClasses }) => shufflenetV1({ numClasses }),
};

const shufflenetV2Definition: ModelDefinition = {
  card: {
    name: 'shufflenet-v2-x1.0',
    aliases: ['shufflenet_v2_x1_0'],
    family: 'ShuffleNet',
    paper: {
      title: 'ShuffleNet V2: Practical Guidelines for Efficient CNN Architecture Design',
      authors: 'Ma, Zhang, Zheng, Sun',
      year: 2018,
      url: 'https://arxiv.org/abs/1807.11164',
    },
    input: [224, 224, 3],
    numClasses: 1000,
    reported: [
      {
        metric: 'top-1 error',
        value: 30.6,
        dataset: 'ImageNet (ILSVRC-2012 validation)',
        source: 'Ma et al. 2018, Section 5’s comparison table (ShuffleNet v2 1×: 146 M FLOPs, 30.6% top-1 error)',
      },
    ],
    deviations: [
      "Follows torchvision's `shufflenet_v2_x1_0`: module names are torchvision's (`stage2/0/branch1/0` is `stage2.0.branch1.0`); 2,278,604 trainable parameters as torchvision counts, plus 16,180 BatchNorm running statistics (non-trainable).",
      'The channel split is two channelSlice layers (first half kept, second half through branch2), the shuffle a channelShuffle with 2 groups, as torchvision’s chunk and channel_shuffle.',
      'Convolutions have no bias; BatchNorm ε 1e-5; x.mean([2, 3]) is a global average pool; softmax left to the loss; initialization is the library’s.',
    ],
    inputs,
  },
  build: ({ numClasses }) => shufflenetV2({ numClasses }),
};

export const shufflenetModels: ModelDefinition[] = [shufflenetV1Definition, shufflenetV2Definition];
