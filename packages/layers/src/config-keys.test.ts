import { describe, expect, it } from 'vitest';
import type { BUILT_IN_KEYS } from './config-keys.js';
import { ConfigError } from './errors.js';
import type { LayerJSON } from './layer.js';
import { createLayer, fromJSON, layerOptions, layerTypes, registerLayer } from './registry.js';
import { closeName } from './suggest.js';

const leaf = (type: string, config: Record<string, unknown>): LayerJSON => ({ type, config });

/** A valid config of every built-in type that uses every option the type declares. */
const FULL: Record<keyof typeof BUILT_IN_KEYS, Record<string, unknown>> = {
  activation: { name: 'a', fn: 'leakyRelu', alpha: 0.1 },
  add: { name: 'sum', branches: [leaf('sequential', { name: 'identity', layers: [] })] },
  auxiliaryHead: { name: 'aux', head: leaf('flatten', { name: 'auxFlat' }) },
  avgPool2d: { name: 'p', kernel: 2, stride: 2, padding: 1, ceilMode: true, countIncludePad: false },
  batchNorm: { name: 'bn', momentum: 0.9, epsilon: 1e-3, scale: false, center: true },
  channelPool: { name: 'cp', pieces: 2 },
  channelShuffle: { name: 'shuf', groups: 4 },
  channelSlice: { name: 'split', begin: 2, size: 3 },
  concat: { name: 'cat', branches: [leaf('conv2d', { name: 'b1', filters: 2, kernel: 1 })] },
  conv2d: {
    name: 'c',
    filters: 2,
    kernel: [3, 3],
    stride: 1,
    padding: 'same',
    dilation: 1,
    groups: 1,
    connections: [[0], [1, 2]],
    bias: true,
    activation: 'relu',
    kernelInit: 'heNormal',
    biasInit: { constant: 0.2 },
  },
  dense: { name: 'd', units: 4, bias: false, activation: 'tanh', kernelInit: 'glorotNormal', biasInit: 'zeros' },
  dropout: { name: 'drop', rate: 0.5 },
  flatten: { name: 'f' },
  globalPool2d: { name: 'g', mode: 'max' },
  lpPool2d: { name: 'lp', kernel: 2, stride: 2, padding: 0, p: 3 },
  lrn: { name: 'norm', size: 5, alpha: 1e-4, beta: 0.75, k: 2 },
  maxout: { name: 'mo', units: 4, pieces: 2, bias: true, kernelInit: 'glorotUniform', biasInit: 'zeros' },
  maxPool2d: { name: 'mp', kernel: 3, stride: 2, padding: 0, ceilMode: false },
  multiply: { name: 'gate', branches: [leaf('conv2d', { name: 'g1', filters: 2, kernel: 1 })] },
  sequential: { name: 'seq', layers: [leaf('flatten', { name: 'inner' })] },
  shortcut: { name: 'optA', stride: 2, filters: 32 },
  stochasticPool2d: { name: 'sp', kernel: 2, stride: 2 },
  subsample2d: { name: 's', kernel: 2, stride: 2, activation: 'tanh', coefficientInit: 'ones', biasInit: 'zeros' },
  zeroPadding2d: {
    name: 'z',
    padding: [
      [0, 1],
      [0, 1],
    ],
  },
};

describe('unknown config options are ConfigErrors that suggest the close name', () => {
  it('a typo names the layer type, the key and the option it meant', () => {
    const typo = leaf('conv2d', { filters: 2, kernel: 3, stides: 2 });
    expect(() => fromJSON(typo)).toThrow(ConfigError);
    expect(() => fromJSON(typo)).toThrow(
      /^conv2d: unknown option "stides" \(did you mean "stride"\?\): a conv2d layer takes /,
    );
  });

  it('names the layer by its configured name and reports every unknown key', () => {
    let error: unknown;
    try {
      fromJSON(leaf('dense', { name: 'fc6', units: 4, activaton: 'relu', kernelInit: 'zeros', xyz: 1 }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).layer).toBe('fc6');
    expect((error as ConfigError).message).toBe(
      'fc6: unknown option "activaton" (did you mean "activation"?); unknown option "xyz": a dense layer takes activation, bias, biasInit, kernelInit, name, units',
    );
  });

  it('finds a typo however deep it is nested', () => {
    const inner = leaf('maxPool2d', { kernel: 2, Stride: 2 });
    const json = leaf('sequential', {
      layers: [leaf('concat', { branches: [leaf('sequential', { layers: [inner] })] })],
    });
    expect(() => fromJSON(json)).toThrow(/maxPool2d: unknown option "Stride" \(did you mean "stride"\?\)/);
    expect(() => fromJSON(leaf('sequential', { layer: [] }))).toThrow(
      /sequential: unknown option "layer" \(did you mean "layers"\?\)/,
    );
  });

  it('createLayer checks too, and a config must be an object', () => {
    expect(() => createLayer('dropout', { rate: 0.5, rat: 0.2 } as never)).toThrow(/did you mean "rate"/);
    expect(() => fromJSON({ type: 'flatten', config: [] as never })).toThrow(
      'flatten: the config of a flatten layer must be an object, received []',
    );
    expect(() => fromJSON(leaf('sequential', {}))).toThrow(
      'sequential: "layers" must be an array of { type, config }, received undefined',
    );
  });

  it('a mistyped layer type suggests the registered one', () => {
    expect(() => fromJSON(leaf('conv2D', {}))).toThrow(/unknown layer type "conv2D" \(did you mean "conv2d"\?\)/);
  });

  it('every built-in type declares its options, and a config using all of them round-trips', () => {
    expect(Object.keys(FULL).sort()).toEqual(layerTypes());
    for (const [type, config] of Object.entries(FULL)) {
      expect(Object.keys(config).sort(), type).toEqual(layerOptions(type)?.sort());
      const json = { type, config };
      expect(fromJSON(json).toJSON(), type).toEqual(json);
    }
  });

  it('a downstream layer without declared keys keeps working; with keys it is checked', () => {
    const flatten = () => createLayer('flatten', {});
    registerLayer('testLoose' as never, flatten);
    registerLayer('testStrict' as never, flatten, { keys: { name: true, factor: true } as never });
    expect(layerOptions('testLoose')).toBeUndefined();
    expect(() => fromJSON(leaf('testLoose', { anything: 1 }))).not.toThrow();
    expect(() => fromJSON(leaf('testStrict', { factor: 2 }))).not.toThrow();
    expect(() => fromJSON(leaf('testStrict', { facter: 2 }))).toThrow(
      'testStrict: unknown option "facter" (did you mean "factor"?): a testStrict layer takes factor, name',
    );
  });
});

describe('closeName', () => {
  it.each([
    ['stides', 'stride'],
    ['Stride', 'stride'],
    ['fitlers', 'filters'],
    ['kernal', 'kernel'],
    ['bais', 'bias'],
    ['pad', 'padding'],
    ['countIncludePadding', 'countIncludePad'],
    ['momentum', undefined],
    ['x', undefined],
    ['q', undefined],
    ['units', 'units'],
  ])('%s → %s', (name, expected) => {
    expect(
      closeName(name, ['filters', 'kernel', 'stride', 'padding', 'p', 'k', 'units', 'countIncludePad', 'bias']),
    ).toBe(expected);
  });
});
