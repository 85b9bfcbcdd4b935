// ResNet: He, Zhang, Ren, Sun 2016, "Deep Residual Learning for Image
// Recognition" (CVPR), Table 1 (ImageNet) laid out as torchvision's
// `resnet.py`: one table, one builder. The CIFAR networks of §4.2 are in
// resnet-cifar.ts. Shapes in the comments are height × width × channels at 224×224×3.
import {
  Activation,
  add,
  BatchNorm,
  Conv2d,
  Dense,
  GlobalPool2d,
  type Layer,
  MaxPool2d,
  type Sequential,
  sequential,
} from '@convkit/layers';
import type { ModelCard, ModelDefinition, ReportedResult } from './registry.js';

/** torchvision's BasicBlock (two 3×3, expansion 1) or Bottleneck (1×1, 3×3, 1×1 ×4, expansion 4). */
export type ResNetBlock = 'basic' | 'bottleneck';

/** Table 1 of the paper: the block and how many of them each stage stacks. */
export const resnetConfigs = {
  //          block          conv2_x 56²  conv3_x 28²  conv4_x 14²  conv5_x 7²
  //                         width 64     width 128    width 256    width 512   (× 4 out for bottlenecks)
  resnet18:  { block: 'basic',      stages: [2,           2,           2,           2] },
  resnet34:  { block: 'basic',      stages: [3,           4,           6,           3] },
  resnet50:  { block: 'bottleneck', stages: [3,           4,           6,           3] },
  resnet101: { block: 'bottleneck', stages: [3,           4,           23,          3] },
  resnet152: { block: 'bottleneck', stages: [3,           8,           36,          3] },
} as const satisfies Record<string, { block: ResNetBlock; stages: readonly number[] }>; // biome-ignore format: the paper's Table 1

export type ResNetConfig = keyof typeof resnetConfigs;

/** The 3×3 widths of conv2_x … conv5_x; each stage after the first halves the side with stride 2 in its first block. */
const WIDTHS = [64, 128, 256, 512] as const;
const EXPANSION: Record<ResNetBlock, number> = { basic: 1, bottleneck: 4 };

/**
 * A bias-free convolution and its BatchNorm (BN's β is the bias), torchvision's
 * `convN`/`bnN` pair inside the block `prefix` ('' for the stem). Padding keeps
 * or, with stride 2, halves the side.
 */
export function convBn(prefix: string, n: string, filters: number, kernel: number, stride: number): Layer[] {
  const at = prefix ? `${prefix}/` : '';
  const padding = (kernel - 1) / 2;
  return [
    new Conv2d({ name: `${at}conv${n}`, filters, kernel, stride, padding, bias: false }),
    new BatchNorm({ name: `${at}bn${n}` }),
  ];
}

const relu = (name: string) => new Activation({ name, fn: 'relu' });

/**
 * `relu(residual(x) + shortcut(x))`, as one block named `name`; `shortcut`
 * null is the identity (an empty branch). The ReLU after the sum is the paper's.
 */
export function residualBlock(name: string, residual: Layer[], shortcut: Layer | null): Sequential {
  const branches = [
    sequential(residual, { name: `${name}/residual` }),
    shortcut ?? sequential([], { name: `${name}/identity` }),
  ];
  return sequential([add(branches, { name: `${name}/add` }), relu(`${name}/relu`)], { name });
}

/**
 * The residual branch of one block. The stride sits on the first 3×3 —
 * for bottlenecks the 3×3 in the middle, not the first 1×1 as in the paper
 * ("ResNet v1.5", torchvision and the ONNX graph).
 */
function residualBranch(block: ResNetBlock, name: string, width: number, stride: number): Layer[] {
  if (block === 'basic')
    return [...convBn(name, '1', width, 3, stride), relu(`${name}/relu1`), ...convBn(name, '2', width, 3, 1)];
  return [
    ...convBn(name, '1', width, 1, 1),
    relu(`${name}/relu1`),
    ...convBn(name, '2', width, 3, stride),
    relu(`${name}/relu2`),
    ...convBn(name, '3', width * EXPANSION.bottleneck, 1, 1),
  ];
}

/**
 * The paper's option B: a projection (1×1 convolution with the block's
 * stride, then BN: torchvision's `downsample.0`, `.1`) where the shape
 * changes, the identity elsewhere.
 */
function projection(name: string, filters: number, stride: number): Sequential {
  const prefix = `${name}/downsample`;
  return sequential(
    [
      new Conv2d({ name: `${prefix}/0`, filters, kernel: 1, stride, bias: false }),
      new BatchNorm({ name: `${prefix}/1` }),
    ],
    { name: prefix },
  );
}

/** conv2_x … conv5_x as torchvision's `layer1` … `layer4`, blocks named `layer1/0`, `layer1/1`, … */
function stages(block: ResNetBlock, counts: readonly number[]): Layer[] {
  const layers: Layer[] = [];
  let channels = 64;
  counts.forEach((count, s) => {
    const width = WIDTHS[s] as number;
    const out = width * EXPANSION[block];
    for (let b = 0; b < count; b++) {
      const name = `layer${s + 1}/${b}`;
      const stride = s > 0 && b === 0 ? 2 : 1;
      const shortcut = stride !== 1 || channels !== out ? projection(name, out, stride) : null;
      layers.push(residualBlock(name, residualBranch(block, name, width, stride), shortcut));
      channels = out;
    }
  });
  return layers;
}

/** Options of {@link resnet}. */
export interface ResNetOptions {
  numClasses?: number;
}

/**
 * An ImageNet ResNet as torchvision builds it (v1.5: the stride on the
 * bottleneck's 3×3). The global average pool makes the parameters
 * independent of the input: 11,689,512 (ResNet-18) … 60,192,808 (ResNet-152)
 * trainable at 1000 classes.
 */
export function resnet(config: ResNetConfig, { numClasses = 1000 }: ResNetOptions = {}): Sequential {
  const { block, stages: counts } = resnetConfigs[config];
  return sequential(
    [
      new Conv2d({ name: 'conv1', filters: 64, kernel: 7, stride: 2, padding: 3, bias: false }), // 112×112×64
      new BatchNorm({ name: 'bn1' }),
      relu('relu'),
      new MaxPool2d({ name: 'maxpool', kernel: 3, stride: 2, padding: 1 }),                     // 56×56×64
      ...stages(block, counts),                                                                 // 7×7×512 (basic) or 7×7×2048
      new GlobalPool2d({ name: 'avgpool', mode: 'avg' }),                                       // 512 or 2048
      new Dense({ name: 'fc', units: numClasses }),                                             // 1000
    ],
    { name: config },
  ); // biome-ignore format: one layer per line
}

export const paper = {
  title: 'Deep Residual Learning for Image Recognition',
  authors: 'Kaiming He, Xiangyu Zhang, Shaoqing Ren, Jian Sun',
  year: 2016,
  url: 'https://arxiv.org/abs/1512.03385',
};

const imagenet = 'ImageNet (ILSVRC-2012 validation)';

/** Table 3 (10-crop testing, validation): top-1 and top-5 error of one model. */
function table3(top1: number, top5: number, label: string): ReportedResult[] {
  const source = `He et al. 2016, Table 3 (${label}; single model, 10-crop testing on the validation set)`;
  return [
    { metric: 'top-1 error', value: top1, dataset: imagenet, source },
    { metric: 'top-5 error', value: top5, dataset: imagenet, source },
  ];
}

const reported: Record<ResNetConfig, ReportedResult[]> = {
  resnet18: [
    {
      metric: 'top-1 error',
      value: 27.88,
      dataset: imagenet,
      source:
        'He et al. 2016, Table 2 (ResNet-18, 10-crop testing; trained with option A zero-padding shortcuts, not the projections built here)',
    },
  ],
  resnet34: table3(24.52, 7.46, 'ResNet-34 B, projections where the shape changes as built here'),
  resnet50: table3(22.85, 6.71, 'ResNet-50'),
  resnet101: table3(21.75, 6.05, 'ResNet-101'),
  resnet152: table3(21.43, 5.71, 'ResNet-152'),
};

const deviations = (block: ResNetBlock): string[] => [
  ...(block === 'bottleneck'
    ? [
        "ResNet v1.5 (torchvision, and the ONNX model zoo's resnet50): a stage's first bottleneck downsamples with stride 2 on its 3×3 convolution; the paper puts the stride on the first 1×1 (Table 1, §3.3), which skips three quarters of the input pixels. Same parameters, more MACs (4,089,184,256 at 224 for ResNet-50).",
      ]
    : []),
  "Shortcuts are the paper's option B (§3.3): identity where the shape is kept, a projection where it changes — a 1×1 convolution with the block's stride then BatchNorm (torchvision's downsample). The paper's Table 2 used option A (zero padding) for its 18/34-layer comparison.",
  'Convolutions have no bias (BatchNorm follows each one); BatchNorm ε 1e-5, momentum 0.1 in PyTorch terms. Trainable parameters match torchvision 0.14; the running mean and variance are non-trainable weights, 2 per channel.',
  "torchvision's stem: 7×7/2 convolution with padding 3, 3×3/2 max pool with padding 1; the average pool is global (torchvision's adaptive pool to 1×1), so any input size works.",
  "Initialization uses the library's defaults (He normal), not torchvision's kaiming_normal_ fan-out; no zero-init of the last BN γ.",
  'Softmax left to the loss: fc returns logits.',
];

function definition(config: ResNetConfig): ModelDefinition {
  const { block } = resnetConfigs[config];
  const depth = config.slice('resnet'.length);
  const card: ModelCard = {
    name: config,
    aliases: [`resnet-${depth}`],
    family: 'ResNet',
    paper,
    input: [224, 224, 3],
    numClasses: 1000,
    reported: reported[config],
    deviations: deviations(block),
    inputs:
      'any input size and channel count: every 3×3 and 1×1 is padded to keep or halve the side (rounding up), and the global average pool makes the parameters independent of the input — 224×224 → 7×7 before the pool, 32×32 → 1×1',
  };
  return { card, build: ({ numClasses }) => resnet(config, { numClasses }) };
}

export const resnetModels: ModelDefinition[] = (Object.keys(resnetConfigs) as ResNetConfig[]).map(definition);
