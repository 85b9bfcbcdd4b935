// SqueezeNet: Iandola, Han, Moskewicz, Ashraf, Dally & Keutzer 2016,
// "SqueezeNet: AlexNet-level accuracy with 50x fewer parameters and <0.5MB
// model size" (arXiv:1602.07360), Table 1 (v1.0), and v1.1 from the authors'
// repository (github.com/forresti/SqueezeNet: 3×3 conv1 with 64 filters, the
// pools moved earlier, 2.4× less computation). Laid out as torchvision's
// `squeezenet.py`: one table per version, one builder, torchvision's module
// names (`features/3/squeeze` is `features.3.squeeze`).
import { Concat, ConfigError, Conv2d, Dropout, GlobalPool2d, type Layer, MaxPool2d, sequential } from '@convkit/layers';
import type { ModelDefinition, ReportedResult } from './registry.js';

/**
 * A fire module (Section 3.2): a 1×1 "squeeze" convolution, then two
 * "expand" convolutions side by side — 1×1 and 3×3 (padding 1) — whose
 * outputs are concatenated (`expand1x1 + expand3x3` channels). Every
 * convolution has a bias and a ReLU.
 */
export type Fire = readonly [squeeze: number, expand1x1: number, expand3x3: number];

/** One entry after conv1: a fire module, or 'M' a 3×3 max pool with stride 2 (ceil mode). */
export type SqueezeEntry = Fire | 'M';

export interface SqueezeConfig {
  /** conv1: filters, kernel (stride 2, no padding). */
  conv1: readonly [filters: number, kernel: number];
  features: readonly SqueezeEntry[];
}

/** Table 1 of the paper (1.0) and the repository's v1.1: fires as [squeeze, expand1x1, expand3x3], numbered 2–9 as in the paper; shapes at 224×224×3. */
export const squeezenetCfgs = {
  '1.0': {
    conv1: [96, 7], // 109²×96
    //         pool1 fire2         fire3         fire4           pool4 fire5           fire6           fire7           fire8           pool8 fire9
    features: ['M',  [16, 64, 64], [16, 64, 64], [32, 128, 128], 'M',  [32, 128, 128], [48, 192, 192], [48, 192, 192], [64, 256, 256], 'M',  [64, 256, 256]],
    //         54²   54²×128       54²×128       54²×256         27²   27²×256         27²×384         27²×384         27²×512         13²   13²×512
  },
  '1.1': {
    conv1: [64, 3], // 111²×64
    //         pool1 fire2         fire3         pool3 fire4           fire5           pool5 fire6           fire7           fire8           fire9
    features: ['M',  [16, 64, 64], [16, 64, 64], 'M',  [32, 128, 128], [32, 128, 128], 'M',  [48, 192, 192], [48, 192, 192], [64, 256, 256], [64, 256, 256]],
    //         55²   55²×128       55²×128       27²   27²×256         27²×256         13²   13²×384         13²×384         13²×512         13²×512
  },
} as const satisfies Record<string, SqueezeConfig>; // biome-ignore format: the paper's Table 1, one row per version

export type SqueezeVersion = keyof typeof squeezenetCfgs;

/** A fire module named as torchvision's `Fire` (`squeeze`, `expand1x1`, `expand3x3`; the ReLUs are fused). */
function fire(name: string, [squeeze, expand1x1, expand3x3]: Fire): Layer {
  return sequential(
    [
      new Conv2d({ name: `${name}/squeeze`, filters: squeeze, kernel: 1, activation: 'relu' }),
      new Concat(
        [
          new Conv2d({ name: `${name}/expand1x1`, filters: expand1x1, kernel: 1, activation: 'relu' }),
          new Conv2d({ name: `${name}/expand3x3`, filters: expand3x3, kernel: 3, padding: 1, activation: 'relu' }),
        ],
        { name: `${name}/expand` },
      ),
    ],
    { name },
  );
}

/**
 * torchvision's `features`: conv1 + ReLU at indices 0–1, then one index per
 * pool or fire module (`features/2` is pool1, `features/3` fire2, …).
 */
function features({ conv1: [filters, kernel], features: entries }: SqueezeConfig): Layer[] {
  const layers: Layer[] = [new Conv2d({ name: 'features/0', filters, kernel, stride: 2, activation: 'relu' })];
  entries.forEach((entry, k) => {
    const name = `features/${k + 2}`;
    // Caffe rounds pool outputs up (torchvision: ceil_mode=True); at 224 this matters for 1.0 only (54 → 27, not 26).
    layers.push(entry === 'M' ? new MaxPool2d({ name, kernel: 3, stride: 2, ceilMode: true }) : fire(name, entry));
  });
  return layers;
}

/** Options of {@link squeezenet}. */
export interface SqueezeNetOptions {
  input: [number, number, number];
  numClasses: number;
}

/** The smallest sides for which each of the three 3×3/2 max pools still gets at least 3 rows and columns (the last leaves 1×1). */
const MIN_SIDE: Record<SqueezeVersion, number> = { '1.0': 29, '1.1': 25 };

/**
 * A SqueezeNet: the version's features, then torchvision's classifier —
 * dropout 0.5, conv10 (1×1 to `numClasses`, ReLU), global average pool. No
 * dense layer: the classifier is a convolution, so any input of at least
 * the version's minimum side works and the parameter count does not change.
 *
 * @example
 * ```ts
 * summary(squeezenet('1.1', { input: [224, 224, 3], numClasses: 1000 }), { input: [224, 224, 3] }).totals.params; // 1,235,496
 * ```
 */
export function squeezenet(version: SqueezeVersion, { input, numClasses }: SqueezeNetOptions): Layer {
  const name = `squeezenet-${version}`;
  const [h, w, c] = input;
  if (h < MIN_SIDE[version] || w < MIN_SIDE[version]) {
    throw new ConfigError(
      name,
      `conv1 (stride 2) and three 3×3/2 max pools need at least a ${MIN_SIDE[version]}×${MIN_SIDE[version]} input, received ${h}×${w}×${c}`,
    );
  }
  return sequential(
    [
      ...features(squeezenetCfgs[version]),                                     // 224×224×3 → 13×13×512
      new Dropout({ name: 'classifier/0', rate: 0.5 }),
      // torchvision draws conv10's weights from N(0, 0.01²), so the first logits start small.
      new Conv2d({ name: 'classifier/1', filters: numClasses, kernel: 1, activation: 'relu',
        kernelInit: { normal: { stddev: 0.01 } } }),                            // 13×13×1000, 513,000
      new GlobalPool2d({ name: 'classifier/3', mode: 'avg' }),                  // 1000
    ],
    { name },
  ); // biome-ignore format: one layer per line
}

const paper = {
  title: 'SqueezeNet: AlexNet-level accuracy with 50x fewer parameters and <0.5MB model size',
  authors: 'Iandola, Han, Moskewicz, Ashraf, Dally, Keutzer',
  year: 2016,
  url: 'https://arxiv.org/abs/1602.07360',
};

const common = [
  'torchvision’s layout and module names (features.N, classifier.1): conv10 is followed by a ReLU and the global average pool, as in the paper’s Caffe model',
  'the classifier ends in ReLU + global average pool: the outputs are non-negative logits; softmax is left to the loss',
  'initialization follows torchvision only for conv10 (N(0, 0.01²)); the other convolutions use convkit’s He normal (torchvision: Kaiming uniform)',
  'the parameter count is torchvision 0.14’s (kernels and biases of every convolution; there is no batch norm)',
];

/** A reported top-1 / top-5 accuracy pair, as the card's errors (100 − accuracy, in percent). */
interface Accuracy {
  top1: number;
  top5: number;
  source: string;
}

const errors = ({ top1, top5, source }: Accuracy): ReportedResult[] =>
  (
    [
      ['top-1 error', top1],
      ['top-5 error', top5],
    ] as const
  ).map(([metric, accuracy]) => ({
    metric,
    value: Number((100 - accuracy).toFixed(3)),
    dataset: 'ImageNet (ILSVRC-2012, validation)',
    source,
  }));

function definition(version: SqueezeVersion, accuracy: Accuracy, deviations: string[] = []): ModelDefinition {
  const min = MIN_SIDE[version];
  return {
    card: {
      name: `squeezenet-${version}`,
      aliases: [`squeezenet${version.replace('.', '_')}`],
      family: 'SqueezeNet',
      paper,
      input: [224, 224, 3],
      numClasses: 1000,
      reported: errors(accuracy),
      deviations: [...deviations, ...common],
      inputs: `any input of at least ${min}×${min}: conv1 has stride 2 and three 3×3/2 max pools round up (224 → 13×13×512 before conv10); the global average pool makes the parameter count independent of the input`,
    },
    build: ({ input, numClasses }) => squeezenet(version, { input, numClasses }),
  };
}

export const squeezenetModels: ModelDefinition[] = [
  definition('1.0', {
    top1: 57.5,
    top5: 80.3,
    source:
      'Iandola et al. 2016, Table 2 (SqueezeNet, 32-bit, uncompressed): 57.5 % top-1 and 80.3 % top-5 accuracy, "AlexNet-level"',
  }),
  definition(
    '1.1',
    {
      top1: 58.178,
      top5: 80.624,
      source:
        'torchvision 0.14 SqueezeNet1_1_Weights.IMAGENET1K_V1 metadata (acc@1 58.178, acc@5 80.624); the paper has no v1.1 row — the repository claims v1.0’s accuracy at 2.4× less computation',
    },
    [
      'v1.1 is not in the paper: it is the authors’ repository’s revision (conv1 3×3 with 64 filters, pools after conv1, fire3 and fire5)',
    ],
  ),
];
