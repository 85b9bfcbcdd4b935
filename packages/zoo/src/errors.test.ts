import { ConfigError } from '@convkit/layers';
import { describe, expect, it } from 'vitest';
import { getModel, type ModelDefinition, modelCard, registerModel } from './index.js';

/** Runs `fn`, returns what it threw (the test fails if nothing was thrown). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('zoo errors are typed, name the model and repeat the values received', () => {
  const cases: [string, () => unknown, string, RegExp][] = [
    ['lenet5, colour input', () => getModel('lenet5', { input: [32, 32, 3] }), 'lenet5', /received 3 channels/],
    ['lenet5, 64×64', () => getModel('lenet5', { input: [64, 64, 1] }), 'lenet5', /received 64×64/],
    ['lenet5-modern, 11×11', () => getModel('lenet5-modern', { input: [11, 12, 1] }), 'lenet5-modern', /11×12×1/],
    ['nin, 54×54', () => getModel('nin', { input: [54, 54, 3] }), 'nin', /55×55.*54×54×3/],
    ['nin-cifar, 5×5', () => getModel('nin-cifar', { input: [5, 6, 3] }), 'nin-cifar', /6×6.*5×6×3/],
    ['vgg16, 31×32', () => getModel('vgg16', { input: [31, 32, 3] }), 'vgg-d', /32×32.*31×32×3/],
    [
      'an unknown model',
      () => getModel('wide-resnet50'),
      'getModel',
      /unknown model "wide-resnet50": available are .*lenet5/,
    ],
    [
      'a duplicate registration',
      () => registerModel({ card: modelCard('lenet5'), build: () => getModel('lenet5') } satisfies ModelDefinition),
      'registerModel',
      /"lenet5" is already registered/,
    ],
  ];

  it.each(cases)('%s', (_, fn, layer, message) => {
    const error = thrown(fn);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).layer).toBe(layer);
    expect((error as ConfigError).message).toMatch(message);
  });
});
