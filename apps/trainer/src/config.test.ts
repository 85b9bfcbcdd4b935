import { describe, expect, it } from 'vitest';
import { composeConfig, defaultRecipe, fitAugmentToData } from './config.js';

describe('trainer configuration', () => {
  it("takes the model family's recipe, then the file, then the flags (flags win)", () => {
    const config = composeConfig({ model: 'alexnet', epochs: 3 }, { epochs: 10, lr: 0.1, batchSize: 16 });
    expect(config.recipe).toBe('alexnet2012');
    expect(config).toMatchObject({ epochs: 3, lr: 0.1, batchSize: 16, colorNoise: 0.1 });
    expect(config.optimizer).toEqual({ type: 'sgd', momentum: 0.9, weightDecay: 0.0005 });
    expect(config.schedule).toMatchObject({ type: 'plateau', factor: 0.1 });
  });

  it("takes a recipe's per-model settings: the paper's LeNet-5 trains at a smaller rate", () => {
    expect(composeConfig({ model: 'lenet5' }).lr).toBe(0.002);
    expect(composeConfig({ model: 'lenet5-modern', recipe: 'lenet5' }).lr).toBe(0.05);
    expect(composeConfig({ model: 'lenet5', lr: 0.01 }).lr).toBe(0.01);
  });

  it("the modern LeNet-5 trains with the few-epoch recipe by default; the paper's 20 epochs by name", () => {
    expect(composeConfig({ model: 'lenet5-modern' })).toMatchObject({
      recipe: 'lenet5-fast',
      epochs: 7,
      batchSize: 128,
      lr: 0.1,
      augment: { randomCrop: { size: [28, 28], padding: 2 } },
      targetError: 0.01,
    });
    expect(composeConfig({ model: 'lenet5-modern', recipe: 'lenet5' })).toMatchObject({ epochs: 20, batchSize: 64 });
  });

  it("stretches a recipe's whole-run cosine to --epochs, but not a schedule the config file gives", () => {
    expect(composeConfig({ model: 'lenet5-modern', epochs: 3 }).schedule).toEqual({
      type: 'cosine',
      epochs: 3,
      warmup: { epochs: 0.5, startFactor: 0.1 },
    });
    expect(composeConfig({ model: 'lenet5-modern' }).schedule).toMatchObject({ type: 'cosine', epochs: 7 });
    const file = { schedule: { type: 'cosine' as const, epochs: 6 } };
    expect(composeConfig({ model: 'lenet5-modern', epochs: 3 }, file).schedule).toEqual(file.schedule);
  });

  it('names recipes by family', () => {
    const models = ['lenet5', 'vgg16', 'googlenet', 'inception-v3', 'zfnet', 'nin', 'resnet50', 'resnet20', 'plain56'];
    expect(models.map(defaultRecipe)).toEqual([
      'lenet5',
      'vgg2014',
      'googlenet2014',
      'googlenet2014',
      'alexnet2012',
      'alexnet2012',
      'resnet2016',
      'resnet2016',
      'resnet2016',
    ]);
  });

  it("moves resnet2016's ÷10 steps (epochs 91 and 136 of 182) to the same fractions of a shorter run", () => {
    const paper = composeConfig({ model: 'resnet20' });
    expect(paper).toMatchObject({ recipe: 'resnet2016', epochs: 182, batchSize: 128, lr: 0.1 });
    expect(paper.schedule).toEqual({ type: 'multistep', milestones: [91, 136], gamma: 0.1 });
    const milestones = (epochs: number) => {
      const s = composeConfig({ model: 'resnet20', epochs }).schedule;
      return s.type === 'multistep' ? s.milestones : [];
    };
    // 91/182 = 0.5 and 136/182 ≈ 0.747 of the run, rounded; coinciding steps stay one epoch apart.
    expect([milestones(20), milestones(8), milestones(4), milestones(2)]).toEqual([
      [10, 15],
      [4, 6],
      [2, 3],
      [1, 2],
    ]);
    const file = { schedule: { type: 'multistep' as const, milestones: [5, 7] } };
    expect(composeConfig({ model: 'resnet20', epochs: 2 }, file).schedule).toEqual(file.schedule);
  });

  it("takes CIFAR's pad-4 crop of 32 as a shift of up to 4 pixels on 28×28 images", () => {
    const resnet = composeConfig({ model: 'resnet20' });
    expect(fitAugmentToData(resnet, 32, 32, false).augment).toEqual({
      randomCrop: { size: [32, 32], padding: 4 },
      flip: true,
    });
    expect(fitAugmentToData(resnet, 28, 28, false).augment).toEqual({
      randomCrop: { size: [28, 28], padding: 4 },
      flip: true,
    });
    expect(fitAugmentToData(resnet, 28, 28, true).augment).toEqual({ randomCrop: { size: [28, 28], padding: 4 } });
    // Beyond its padding the crop is not a shift: dropped as before.
    expect(fitAugmentToData(resnet, 20, 20, false).augment).toEqual({ flip: true });
  });

  it('an unknown recipe is a usage error listing the known ones', () => {
    expect(() => composeConfig({ model: 'alexnet', recipe: 'alexnet2013' })).toThrow(
      /unknown recipe "alexnet2013"; known: lenet5, lenet5-fast, alexnet2012/,
    );
  });

  it("drops ImageNet's resize and crops for small images, and flips for digits", () => {
    const alexnet = composeConfig({ model: 'alexnet' });
    const cifar = fitAugmentToData(alexnet, 32, 32, false);
    expect(cifar.augment).toEqual({ flip: true });
    expect(cifar.evaluationAugment).toBeUndefined();
    const mnist = fitAugmentToData(alexnet, 28, 28, true);
    expect(mnist.augment).toBeUndefined();
    const imagenet = fitAugmentToData(alexnet, 300, 400, false);
    expect(imagenet.augment).toEqual(alexnet.augment);
  });
});
