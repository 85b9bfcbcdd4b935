// The CIFAR-10 networks of He et al. 2016, §4.2: 6n + 2 layers — a 3×3
// convolution, three stages of n blocks (16, 32, 64 filters on 32², 16², 8²
// maps), a global average pool and a 10-way fully connected layer. Residual
// nets use option A shortcuts (identity, zero padding where the width
// grows); the plain nets are the same stacks without shortcuts, for the
// degradation experiment (Fig. 6). Shapes in the comments at 32×32×3.
import { Activation, Dense, GlobalPool2d, type Layer, type Sequential, sequential, shortcut } from '@convkit/layers';
import type { ModelDefinition, ReportedResult } from './registry.js';
import { convBn, paper, residualBlock } from './resnet.js';

/** §4.2's table: n blocks per stage, 2 layers per block, 6n + 2 layers in all. */
export const cifarResnetDepths = {
  //         n    layers 6n + 2    stages: 32×32×16, 16×16×32, 8×8×64
  resnet20: 3, // 20
  resnet56: 9, // 56
} as const satisfies Record<string, number>;

export type CifarResNetDepth = keyof typeof cifarResnetDepths;

/** Filters of the three stages (§4.2: "the numbers of filters are {16, 32, 64} respectively"). */
const WIDTHS = [16, 32, 64] as const;

const relu = (name: string) => new Activation({ name, fn: 'relu' });

/** Two 3×3 conv–BN pairs, the first with the block's stride, then (residual) the sum and a ReLU. */
function block(name: string, width: number, stride: number, channels: number, residual: boolean): Layer {
  const body = [...convBn(name, '1', width, 3, stride), relu(`${name}/relu1`), ...convBn(name, '2', width, 3, 1)];
  if (!residual) return sequential([...body, relu(`${name}/relu`)], { name });
  // Option A: every stride-th pixel, the new channels zero (half before, half after): no parameters.
  const changes = stride !== 1 || channels !== width;
  return residualBlock(name, body, changes ? shortcut({ name: `${name}/shortcut`, stride, filters: width }) : null);
}

/** Options of {@link cifarResnet}. */
export interface CifarResNetOptions {
  numClasses?: number;
  /** false: the plain network of the same depth (no shortcuts). Default true. */
  residual?: boolean;
}

/**
 * A CIFAR ResNet of 6n + 2 layers (n blocks per stage), or its plain
 * counterpart. Any input size and channel count works (Fashion-MNIST's
 * 28×28×1 goes 28² → 14² → 7²): the parameters change only with the input
 * channels (16·9 per channel in the first convolution).
 */
export function cifarResnet(n: number, { numClasses = 10, residual = true }: CifarResNetOptions = {}): Sequential {
  const layers: Layer[] = [...convBn('', '1', 16, 3, 1), relu('relu')]; // 32×32×16
  let channels = 16;
  WIDTHS.forEach((width, s) => {
    for (let b = 0; b < n; b++) {
      const stride = s > 0 && b === 0 ? 2 : 1; // 32² → 16² → 8²
      layers.push(block(`layer${s + 1}/${b}`, width, stride, channels, residual));
      channels = width;
    }
  });
  const name = `${residual ? 'resnet' : 'plain'}${6 * n + 2}`;
  return sequential(
    [
      ...layers,                                              // 8×8×64
      new GlobalPool2d({ name: 'avgpool', mode: 'avg' }),     // 64
      new Dense({ name: 'fc', units: numClasses }),           // 10
    ],
    { name },
  ); // biome-ignore format: one layer per line
}

const cifar = 'CIFAR-10 (test)';

const reported: Record<CifarResNetDepth, ReportedResult[]> = {
  resnet20: [
    { metric: 'error', value: 8.75, dataset: cifar, source: 'He et al. 2016, Table 6 (ResNet-20, 0.27 M parameters)' },
  ],
  resnet56: [
    { metric: 'error', value: 6.97, dataset: cifar, source: 'He et al. 2016, Table 6 (ResNet-56, 0.85 M parameters)' },
  ],
};

const common = [
  'Convolutions have no bias (BatchNorm follows each one), as in the common PyTorch ports; the paper does not say. BatchNorm ε 1e-5; the running mean and variance are non-trainable weights.',
  "Initialization uses the library's defaults (He normal, as the paper's [13]); softmax left to the loss.",
  'The paper trains on 32×32 CIFAR-10 images; the builder takes any input (28×28×1 Fashion-MNIST for the degradation runs).',
];

const inputs =
  'any input size and channel count: the three stages keep, halve and halve the side (rounding up), then a global average pool — 32×32 → 8×8×64, 28×28×1 (Fashion-MNIST) → 7×7×64; the first convolution has 16·9 weights per input channel';

function definition(depth: CifarResNetDepth, residual: boolean): ModelDefinition {
  const n = cifarResnetDepths[depth];
  const name = residual ? depth : `plain${6 * n + 2}`;
  return {
    card: {
      name,
      family: 'ResNet (CIFAR)',
      paper,
      input: [32, 32, 3],
      numClasses: 10,
      ...(residual ? { reported: reported[depth] } : {}),
      deviations: residual
        ? [
            "Option A shortcuts (§4.2): the identity, and where a stage halves the side and doubles the width, every second pixel with the new channels zero-padded half before and half after (the PyTorch ports' F.pad(x[:, :, ::2, ::2], …)): no parameters.",
            ...common,
          ]
        : [
            'The plain network of §4.2 and Fig. 6: the same layers as the ResNet of this depth without any shortcut (a stage changes width through its first, stride-2 convolution). The paper reports it only as curves (Fig. 6), no table entry.',
            ...common,
          ],
      inputs,
    },
    build: ({ numClasses }) => cifarResnet(n, { numClasses, residual }),
  };
}

export const cifarResnetModels: ModelDefinition[] = [
  definition('resnet20', true),
  definition('resnet56', true),
  definition('resnet20', false),
  definition('resnet56', false),
];
