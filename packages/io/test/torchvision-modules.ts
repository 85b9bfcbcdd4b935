import type { Module } from './torch-reference.js';

/**
 * torchvision's AlexNet, VGG, GoogLeNet and ResNet-18 as module lists, written from
 * torchvision/models/{alexnet,vgg,googlenet,resnet}.py (0.14), with taps where a
 * convkit layer's output should equal the activation. Adaptive average
 * pools are left out (the identity at the sizes torchvision's weights are
 * for; the zoo leaves them out too), as is dropout (the identity at inference).
 */

const relu: Module = { op: 'relu' };

export function alexnet(classes: number): Module[] {
  const conv = (i: number, out: number, kernel: number, stride: number, padding: number, tap: string): Module[] => [
    { op: 'conv', name: `features.${i}`, out, kernel, stride, padding },
    relu,
    { op: 'tap', layer: tap },
  ];
  const pool: Module = { op: 'maxpool', kernel: 3, stride: 2 };
  return [
    ...conv(0, 64, 11, 4, 2, 'conv1'),
    pool,
    ...conv(3, 192, 5, 1, 2, 'conv2'),
    pool,
    ...conv(6, 384, 3, 1, 1, 'conv3'),
    ...conv(8, 256, 3, 1, 1, 'conv4'),
    ...conv(10, 256, 3, 1, 1, 'conv5'),
    pool,
    { op: 'tap', layer: 'maxPool2d3' },
    { op: 'flatten' },
    { op: 'linear', name: 'classifier.1', out: 4096 },
    relu,
    { op: 'tap', layer: 'fc6' },
    { op: 'linear', name: 'classifier.4', out: 4096 },
    relu,
    { op: 'linear', name: 'classifier.6', out: classes },
    { op: 'tap', layer: 'fc8' },
  ];
}

/** torchvision's `cfgs['A']` (VGG-11). */
const VGG11 = [64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'] as const;

export function vgg11(classes: number, batchNorm: boolean): Module[] {
  const features: Module[] = [];
  let index = 0;
  let block = 1;
  let conv = 1;
  for (const v of VGG11) {
    if (v === 'M') {
      features.push({ op: 'maxpool', kernel: 2, stride: 2 }, { op: 'tap', layer: `pool${block}` });
      index += 1;
      block += 1;
      conv = 1;
      continue;
    }
    const id = `${block}_${conv}`;
    features.push({ op: 'conv', name: `features.${index}`, out: v, kernel: 3, padding: 1 });
    if (batchNorm)
      features.push({ op: 'tap', layer: `conv${id}` }, { op: 'bn', name: `features.${index + 1}`, eps: 1e-5 });
    features.push(relu, { op: 'tap', layer: batchNorm ? `relu${id}` : `conv${id}` });
    index += batchNorm ? 3 : 2;
    conv += 1;
  }
  return [
    ...features,
    { op: 'flatten' },
    { op: 'linear', name: 'classifier.0', out: 4096 },
    relu,
    { op: 'tap', layer: 'fc6' },
    { op: 'linear', name: 'classifier.3', out: 4096 },
    relu,
    { op: 'linear', name: 'classifier.6', out: classes },
    { op: 'tap', layer: 'fc8' },
  ];
}

/** torchvision's BasicConv2d: conv without bias, BatchNorm(eps=0.001), ReLU. */
function basic(name: string, out: number, kernel: number, stride = 1, padding = 0): Module[] {
  return [
    { op: 'conv', name: `${name}.conv`, out, kernel, stride, padding, bias: false },
    { op: 'bn', name: `${name}.bn`, eps: 0.001 },
    relu,
  ];
}

/** torchvision's Inception block: its "5×5" branch is a 3×3. */
function inception(name: string, [c1, c3r, c3, c5r, c5, pool]: readonly number[]): Module[] {
  const n = (v: number | undefined) => v as number;
  return [
    {
      op: 'cat',
      branches: [
        basic(`${name}.branch1`, n(c1), 1),
        [...basic(`${name}.branch2.0`, n(c3r), 1), ...basic(`${name}.branch2.1`, n(c3), 3, 1, 1)],
        [...basic(`${name}.branch3.0`, n(c5r), 1), ...basic(`${name}.branch3.1`, n(c5), 3, 1, 1)],
        [{ op: 'maxpool', kernel: 3, stride: 1, padding: 1, ceil: true }, ...basic(`${name}.branch4.1`, n(pool), 1)],
      ],
    },
    { op: 'tap', layer: name },
  ];
}

export function googlenet(classes: number): Module[] {
  const pool = (kernel: number, tap: string): Module[] => [
    { op: 'maxpool', kernel, stride: 2, ceil: true },
    { op: 'tap', layer: tap },
  ];
  return [
    ...basic('conv1', 64, 7, 2, 3),
    { op: 'tap', layer: 'conv1/relu' },
    ...pool(3, 'maxpool1'),
    ...basic('conv2', 64, 1),
    ...basic('conv3', 192, 3, 1, 1),
    { op: 'tap', layer: 'conv3/relu' },
    ...pool(3, 'maxpool2'),
    ...inception('inception3a', [64, 96, 128, 16, 32, 32]),
    ...inception('inception3b', [128, 128, 192, 32, 96, 64]),
    ...pool(3, 'maxpool3'),
    ...inception('inception4a', [192, 96, 208, 16, 48, 64]),
    ...inception('inception4b', [160, 112, 224, 24, 64, 64]),
    ...inception('inception4c', [128, 128, 256, 24, 64, 64]),
    ...inception('inception4d', [112, 144, 288, 32, 64, 64]),
    ...inception('inception4e', [256, 160, 320, 32, 128, 128]),
    ...pool(2, 'maxpool4'),
    ...inception('inception5a', [256, 160, 320, 32, 128, 128]),
    ...inception('inception5b', [384, 192, 384, 48, 128, 128]),
    { op: 'globalAvg' },
    { op: 'tap', layer: 'avgpool' },
    { op: 'flatten' },
    { op: 'linear', name: 'fc', out: classes },
    { op: 'tap', layer: 'fc' },
  ];
}

/** torchvision's BasicBlock: conv3×3(stride)-bn-relu-conv3×3-bn, plus the input or its 1×1 downsample, then relu. */
function basicBlock(name: string, out: number, stride: number, downsample: boolean): Module[] {
  const conv = (n: number, s: number): Module[] => [
    { op: 'conv', name: `${name}.conv${n}`, out, kernel: 3, stride: s, padding: 1, bias: false },
    { op: 'bn', name: `${name}.bn${n}`, eps: 1e-5 },
  ];
  const shortcut: Module[] = downsample
    ? [
        { op: 'conv', name: `${name}.downsample.0`, out, kernel: 1, stride, bias: false },
        { op: 'bn', name: `${name}.downsample.1`, eps: 1e-5 },
      ]
    : [];
  return [{ op: 'add', branches: [[...conv(1, stride), relu, ...conv(2, 1)], shortcut] }, relu];
}

export function resnet18(classes: number): Module[] {
  const blocks: Module[] = [];
  for (const [s, out] of [64, 128, 256, 512].entries()) {
    for (const b of [0, 1]) {
      const name = `layer${s + 1}.${b}`;
      const stride = s > 0 && b === 0 ? 2 : 1;
      blocks.push(...basicBlock(name, out, stride, stride !== 1), { op: 'tap', layer: name.replace('.', '/') });
    }
  }
  return [
    { op: 'conv', name: 'conv1', out: 64, kernel: 7, stride: 2, padding: 3, bias: false },
    { op: 'bn', name: 'bn1', eps: 1e-5 },
    { op: 'tap', layer: 'bn1' },
    relu,
    { op: 'maxpool', kernel: 3, stride: 2, padding: 1 },
    { op: 'tap', layer: 'maxpool' },
    ...blocks,
    { op: 'globalAvg' },
    { op: 'tap', layer: 'avgpool' },
    { op: 'flatten' },
    { op: 'linear', name: 'fc', out: classes },
    { op: 'tap', layer: 'fc' },
  ];
}
