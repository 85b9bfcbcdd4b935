import type { AugmentOptions } from '@convkit/data';
import type { OptimizerConfig } from './optimizers.js';
import type { ScheduleConfig } from './schedules.js';

/** A paper's training method as data: what `fit` and the trainer take, and where it comes from. */
export interface Recipe {
  name: string;
  /** The paper and section the numbers come from. */
  source: string;
  batchSize: number;
  lr: number;
  epochs: number;
  optimizer: OptimizerConfig;
  schedule: ScheduleConfig;
  /** Dropout rate in the fully connected layers (the zoo's models carry it; stated here for the record). */
  dropout?: number;
  augment?: AugmentOptions;
  evaluationAugment?: AugmentOptions;
  /** σ of AlexNet's PCA colour noise; the basis comes from the training set (`colorBasis`), so it is not part of the recipe. */
  colorNoise?: number;
  auxiliaryWeight?: number;
  labelSmoothing?: number;
  /** Settings that differ for particular models of the family, by zoo name. */
  byModel?: Record<string, Partial<Pick<Recipe, 'lr' | 'batchSize' | 'epochs'>>>;
  /** What we changed or could not reproduce, and why. */
  notes: string[];
}

/**
 * The recipes of the lecture's papers. ImageNet crops (224 from 256) are
 * written for ImageNet-sized inputs; the trainer scales them to the data set.
 */
export const recipes: Record<string, Recipe> = {
  lenet5: {
    name: 'lenet5',
    source:
      'LeCun, Bottou, Bengio, Haffner 1998, "Gradient-based learning applied to document recognition", §III.C and Appendix C (20 passes; global learning rate 0.0005 for 2 passes, 0.0002 for 3, 0.0001 for 3, 0.00005 for 4, then 0.00001)',
    batchSize: 64,
    lr: 0.05,
    epochs: 20,
    optimizer: { type: 'sgd', momentum: 0.9, weightDecay: 0.0005 },
    // The paper's steps, relative to its first rate: 0.0005 → 0.0002 → 0.0001 → 0.00005 → 0.00001.
    schedule: { type: 'piecewise', boundaries: [2, 5, 8, 12], factors: [1, 0.4, 0.2, 0.1, 0.02] },
    // The paper's RBF output gives −squared distances as logits, about 100 times larger than a dense layer's: at 0.05 the tanh units saturate in the first epoch.
    byModel: { lenet5: { lr: 0.002 } },
    notes: [
      'The paper used stochastic diagonal Levenberg-Marquardt, one example at a time; minibatch SGD with momentum is the modern equivalent.',
      "Its step-wise decreasing rate keeps the paper's epochs and ratios, scaled to a starting rate of 0.05 for SGD with momentum at batch 64 (0.01 ends at 98.99 % on MNIST, 0.05 above 99 %).",
    ],
  },
  'lenet5-fast': {
    name: 'lenet5-fast',
    source:
      "convkit's few-epoch recipe for the modern LeNet-5 (ReLU, max pooling) on MNIST: SGD with momentum 0.9 and the paper's weight decay 0.0005, batch 128, a half-epoch linear warm-up then a cosine decay over 7 epochs (Loshchilov & Hutter 2017, SGDR), and 2-pixel random shifts (a crop of 28 from the image padded by 2)",
    batchSize: 128,
    lr: 0.1,
    epochs: 7,
    optimizer: { type: 'sgd', momentum: 0.9, weightDecay: 0.0005 },
    schedule: { type: 'cosine', epochs: 7, warmup: { epochs: 0.5, startFactor: 0.1 } },
    augment: { randomCrop: { size: [28, 28], padding: 2 } },
    notes: [
      "The default for lenet5-modern and `pnpm demo`: ≥ 99 % on MNIST's test set in 7 epochs instead of the paper's 20, so a machine on wasm finishes in minutes; `--recipe lenet5` is the paper's.",
      'Measured on the 55,000/5,000 split with seed 0: native, validation error 0.92 % after epoch 7, test accuracy 99.35 %; wasm on 2 threads, 0.86 % and 99.34 %. With 6 epochs the validation error ended at 0.84 % on native but 1.06 % on wasm (whose sums add in another order), and without the shifts it stayed at 1.06–1.12 % (test 99.2 %) for 5 to 8 epochs; batch 128 halves the steps per epoch, which is what costs time on wasm.',
      "Written for lenet5-modern; the paper's lenet5 (tanh, RBF output) needs a smaller rate (see the lenet5 recipe).",
    ],
  },
  alexnet2012: {
    name: 'alexnet2012',
    source:
      'Krizhevsky, Sutskever, Hinton 2012, "ImageNet classification with deep convolutional neural networks", §5 (batch 128, momentum 0.9, weight decay 0.0005, lr 0.01 divided by 10 when the validation error stopped improving, ~90 epochs) and §4 (random 224×224 crops of 256×256 images, horizontal flips, PCA colour noise σ = 0.1; dropout 0.5)',
    batchSize: 128,
    lr: 0.01,
    epochs: 90,
    optimizer: { type: 'sgd', momentum: 0.9, weightDecay: 0.0005 },
    schedule: { type: 'plateau', factor: 0.1, patience: 5, minLr: 1e-5 },
    dropout: 0.5,
    augment: { resize: [256, 256], randomCrop: { size: [224, 224] }, flip: true },
    evaluationAugment: { resize: [256, 256], centerCrop: [224, 224] },
    colorNoise: 0.1,
    notes: [
      'The authors divided the rate by 10 by hand, three times; a plateau schedule with patience 5 does it automatically.',
      'PCA colour noise needs the eigenvectors of the training set: `convkit train` computes them with colorBasis on RGB data and adds colorNoise with σ = 0.1.',
      'Test-time 10-crop averaging is not part of the recipe; evaluation uses one center crop.',
    ],
  },
  vgg2014: {
    name: 'vgg2014',
    source:
      'Simonyan, Zisserman 2014, "Very deep convolutional networks for large-scale image recognition", §3.1 (batch 256, momentum 0.9, weight decay 5·10⁻⁴, dropout 0.5 in the first two FC layers, lr 10⁻² divided by 10 when validation accuracy stopped improving, 74 epochs; random 224 crops of rescaled images, flips, RGB colour shift)',
    batchSize: 256,
    lr: 0.01,
    epochs: 74,
    optimizer: { type: 'sgd', momentum: 0.9, weightDecay: 0.0005 },
    schedule: { type: 'plateau', factor: 0.1, patience: 5, minLr: 1e-5 },
    dropout: 0.5,
    augment: { resize: [256, 256], randomCrop: { size: [224, 224] }, flip: true },
    evaluationAugment: { resize: [256, 256], centerCrop: [224, 224] },
    notes: ["Scale jittering (S ∈ [256, 512]) is replaced by a fixed S = 256, the paper's single-scale setting."],
  },
  googlenet2014: {
    name: 'googlenet2014',
    source:
      'Szegedy et al. 2015, "Going deeper with convolutions", §6 (asynchronous SGD, momentum 0.9, learning rate decreased by 4 % every 8 epochs; auxiliary losses weighted by 0.3, §5; dropout 0.7 in the auxiliary heads and 0.4 before the classifier)',
    batchSize: 128,
    lr: 0.01,
    epochs: 250,
    optimizer: { type: 'sgd', momentum: 0.9, weightDecay: 0.0002 },
    schedule: { type: 'step', stepSize: 8, gamma: 0.96 },
    dropout: 0.4,
    auxiliaryWeight: 0.3,
    augment: { resize: [256, 256], randomCrop: { size: [224, 224] }, flip: true },
    evaluationAugment: { resize: [256, 256], centerCrop: [224, 224] },
    notes: [
      'The paper trained asynchronously on a CPU cluster; synchronous minibatch SGD is used here.',
      'Weight decay 0.0002 is the value of the Caffe reference model (bvlc_googlenet); the paper does not state it.',
      'Photometric distortions and varied-aspect crops (8 %–100 % of the area) are simplified to random crops and flips.',
    ],
  },
  resnet2016: {
    name: 'resnet2016',
    source:
      'He, Zhang, Ren, Sun 2016, "Deep residual learning for image recognition", §4.2, CIFAR-10 (SGD, batch 128, momentum 0.9, weight decay 0.0001, lr 0.1 divided by 10 at 32k and 48k iterations, stopped at 64k, chosen on a 45k/5k train/val split; 4 pixels padded on each side and a random 32×32 crop, horizontal flips; BN, no dropout)',
    batchSize: 128,
    lr: 0.1,
    // 45,000 images / 128 = 352 iterations an epoch: 32k ≈ epoch 91, 48k ≈ 136, 64k ≈ 182.
    epochs: 182,
    optimizer: { type: 'sgd', momentum: 0.9, weightDecay: 0.0001 },
    schedule: { type: 'multistep', milestones: [91, 136], gamma: 0.1 },
    augment: { randomCrop: { size: [32, 32], padding: 4 }, flip: true },
    notes: [
      'The paper counts iterations; at 352 iterations an epoch (45k images, batch 128) its 32k, 48k and 64k are epochs 91, 136 and 182. With --epochs the trainer moves the two ÷10 steps to the same fractions of the run (2 epochs: ÷10 after the first).',
      'For images other than 32×32 (28×28 Fashion-MNIST) the trainer takes the padded crop at the image size: a shift of up to 4 pixels, as on CIFAR.',
      'The paper gives ResNet-110 a warm-up at 0.01 until the training error is below 80 % (about 400 iterations); the zoo has no ResNet-110, so the recipe has none.',
      'Per-pixel mean subtraction is replaced by the trainer’s normalization.',
    ],
  },
};

/** A recipe by name; an unknown name lists the known ones. */
export function getRecipe(name: string): Recipe {
  const recipe = recipes[name];
  if (!recipe)
    throw new RangeError(`unknown recipe ${JSON.stringify(name)}; known: ${Object.keys(recipes).join(', ')}`);
  return recipe;
}
