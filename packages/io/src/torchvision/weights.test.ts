import { initBackend } from '@convkit/backend';
import type { Layer } from '@convkit/layers';
import { getModel } from '@convkit/zoo';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { close } from '../../test/nchw.js';
import { mulberry32 } from '../../test/random.js';
import { type Activation, forward, type Module, toNhwcValues } from '../../test/torch-reference.js';
import { alexnet, googlenet, resnet18, vgg11 } from '../../test/torchvision-modules.js';
import { TorchvisionMismatchError, UnsupportedError } from '../errors.js';
import { type DecodedTensor, decodeSafetensors, encodeSafetensors, type TensorInput } from '../safetensors.js';
import { torchvisionNames } from './names.js';
import { exportTorchvision, loadTorchvision } from './weights.js';

beforeAll(async () => {
  await initBackend('cpu');
});

/**
 * Runs the torchvision-style reference on one seeded NCHW input, drawing
 * every parameter at random as it is first asked for (He-scaled, so
 * activations stay of order one; batch-norm statistics away from 0 and 1):
 * the parameters form the state_dict, the taps the expected activations.
 */
function reference(modules: Module[], [h = 0, w = 0, c = 0]: readonly number[], seed: number) {
  const random = mulberry32(seed);
  const uniform = (n: number, low: number, high: number) =>
    Float32Array.from({ length: n }, () => low + (high - low) * random());
  const stateDict: Record<string, TensorInput> = {};
  const parameter = (key: string, shape: number[]) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const fanIn = n / (shape[0] as number);
    const limit = Math.sqrt(6 / fanIn);
    const data =
      key.endsWith('running_var') || (key.includes('bn') && key.endsWith('.weight'))
        ? uniform(n, 0.5, 1.5)
        : shape.length > 1
          ? uniform(n, -limit, limit)
          : uniform(n, -0.1, 0.1);
    stateDict[key] = { data, shape };
    // BatchNorm buffers torchvision also saves, which the loader must skip.
    if (key.endsWith('running_var'))
      stateDict[key.replace('running_var', 'num_batches_tracked')] = { data: new Int32Array([7]), shape: [] };
    return data;
  };
  const x: Activation = { c, h, w, data: Float64Array.from({ length: c * h * w }, () => 2 * random() - 1) };
  const taps = new Map<string, Activation>();
  forward(modules, x, parameter, taps);
  return { stateDict, taps, x };
}

/** The first index where two arrays differ (−1 when equal): fast on tens of millions of values, unlike a deep equality. */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

/** The model's top-level children run one by one, each output kept by the child's name. */
function convkitTaps(model: Layer, x: tf.Tensor): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  let h = x;
  for (const child of (model as Layer & { children: readonly Layer[] }).children) {
    const next = child.apply(h);
    if (h !== x) h.dispose();
    h = next;
    out.set(child.name, h.dataSync() as Float32Array);
  }
  h.dispose();
  return out;
}

describe('a torchvision state_dict in safetensors loads into the zoo model: layer by layer equal to torchvision’s forward', () => {
  it.each([
    // Inputs the models accept, small enough for plain loops; the maps before the first dense layer are 3×3, 2×2 and 1×1.
    ['alexnet-torchvision', [127, 127, 3], () => alexnet(5)],
    ['vgg11', [64, 64, 3], () => vgg11(5, false)],
    ['vgg11_bn', [32, 32, 3], () => vgg11(5, true)],
    ['googlenet-torchvision', [64, 64, 3], () => googlenet(5)],
    // Basic blocks with identity and projection (downsample) shortcuts; layer4 is 2×2 here.
    ['resnet18', [64, 64, 3], () => resnet18(5)],
  ] as const)(
    '%s at %j',
    async (name, input, modules) => {
      const { stateDict, taps, x } = reference(modules(), input, 1);
      const { tensors } = decodeSafetensors(encodeSafetensors(stateDict), `${name}.safetensors`);
      const model = getModel(name.replace('_bn', '-bn'), { numClasses: 5 }).build([...input], { seed: 2 });
      const { loaded, ignored } = loadTorchvision(model, name, tensors);
      expect(loaded).toBe(Object.keys(stateDict).filter((k) => !k.endsWith('num_batches_tracked')).length);
      expect(ignored.every((k) => k.endsWith('.num_batches_tracked'))).toBe(true);

      const nhwc = tf.tensor(Float32Array.from(toNhwcValues(x)), [1, ...input]);
      const ours = convkitTaps(model, nhwc);
      nhwc.dispose();
      expect(taps.size).toBeGreaterThan(5);
      for (const [layer, activation] of taps) {
        const got = ours.get(layer);
        expect(got, `convkit has a layer ${layer}`).toBeDefined();
        expect(close(got ?? [], toNhwcValues(activation), 1e-3, 1e-4), layer).toBeUndefined();
      }

      // And back: convkit's weights under torchvision's names are the file's values, bit for bit.
      const exported = await exportTorchvision(model, name);
      for (const [key, tensor] of tensors) {
        if (key.endsWith('num_batches_tracked')) continue;
        expect(exported[key]?.shape, key).toEqual(tensor.shape);
        expect(firstDifference(exported[key]?.data ?? [], tensor.values), key).toBe(-1);
      }
      expect(Object.keys(exported).length).toBe(loaded);
      model.dispose();
    },
    120_000,
  );
});

describe('the mapping against torchvision 0.14’s own state_dict keys (1000 classes, auxiliary heads on)', () => {
  // torchvision.models.*(aux_logits=True).state_dict() without num_batches_tracked: key count and elements.
  it.each([
    ['alexnet-torchvision', [224, 224, 3], 16, 61_100_840],
    ['vgg11-bn', [224, 224, 3], 54, 132_874_344],
    ['googlenet-torchvision', [224, 224, 3], 305, 13_019_960],
    ['inception-v3', [299, 299, 3], 484, 27_197_488],
  ] as const)(
    '%s at %j: %i keys, %i elements',
    async (name, input, keys, elements) => {
      const model = getModel(name, { auxLogits: true }).build([...input]);
      const exported = await exportTorchvision(model, name);
      expect(Object.keys(exported)).toHaveLength(keys);
      expect(Object.values(exported).reduce((a, t) => a + t.data.length, 0)).toBe(elements);
      model.dispose();
    },
    120_000,
  );

  it('names VGG-16’s features by torchvision’s indices (conv, relu; pools between blocks)', () => {
    const names = torchvisionNames('vgg16', [
      'conv1_1/kernel',
      'conv2_1/bias',
      'conv3_3/kernel',
      'conv5_3/kernel',
      'fc6/kernel',
      'fc8/bias',
    ]);
    expect([...names.values()]).toEqual([
      'features.0.weight',
      'features.5.bias',
      'features.14.weight',
      'features.28.weight',
      'classifier.0.weight',
      'classifier.6.bias',
    ]);
    const bn = torchvisionNames('vgg16_bn', [
      'conv1_2/kernel',
      'bn1_2/movingVariance',
      'conv5_3/kernel',
      'bn5_3/gamma',
    ]);
    expect([...bn.values()]).toEqual([
      'features.3.weight',
      'features.4.running_var',
      'features.40.weight',
      'features.41.weight',
    ]);
    expect(
      torchvisionNames('googlenet-torchvision', [
        'aux1/fc/kernel',
        'aux2/classifier/bias',
        'inception4a/branch2/1/bn/beta',
      ]),
    ).toEqual(
      new Map([
        ['aux1/fc/kernel', 'aux1.fc1.weight'],
        ['aux2/classifier/bias', 'aux2.fc2.bias'],
        ['inception4a/branch2/1/bn/beta', 'inception4a.branch2.1.bn.bias'],
      ]),
    );
  });
});

describe('what does not fit is reported at once, by name', () => {
  const model = () => getModel('vgg11', { numClasses: 5 }).build([32, 32, 3]);
  const file = async (edit: (sd: Record<string, TensorInput>) => void) => {
    const m = model();
    const sd = await exportTorchvision(m, 'vgg11');
    m.dispose();
    edit(sd);
    return decodeSafetensors(encodeSafetensors(sd)).tensors;
  };

  it('missing, unexpected and mis-shaped tensors, with the shapes expected and received; nothing is assigned', async () => {
    const tensors = await file((sd) => {
      delete sd['features.3.bias'];
      sd['features.99.weight'] = { data: new Float32Array(2), shape: [2] };
      sd['classifier.0.weight'] = { data: new Float32Array(4096 * 25088), shape: [4096, 25088] };
      sd['classifier.6.bias'] = { data: new Int32Array(5), shape: [5] };
    });
    const target = model();
    const before = Array.from(target.getWeights()['conv1_1/kernel']?.dataSync() ?? []);
    let error: unknown;
    try {
      loadTorchvision(target, 'vgg11', tensors);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TorchvisionMismatchError);
    const mismatch = error as TorchvisionMismatchError;
    expect(mismatch.missing).toEqual(['features.3.bias']);
    expect(mismatch.unexpected).toEqual(['features.99.weight']);
    expect(mismatch.misfits.map((m) => [m.key, m.weight, m.expected, m.received])).toEqual([
      ['classifier.0.weight', 'fc6/kernel', [4096, 512], [4096, 25088]],
      ['classifier.6.bias', 'fc8/bias', [5], [5]],
    ]);
    expect(mismatch.message).toMatch(/fc6 reads a flattened 1×1×512 map; build the model at the input size/);
    expect(mismatch.message).toMatch(/classifier\.6\.bias for fc8\/bias: expected a float tensor, received I32 \[5\]/);
    expect(Array.from(target.getWeights()['conv1_1/kernel']?.dataSync() ?? [])).toEqual(before);
    target.dispose();
  }, 120_000); // writes and decodes a 4096×25088 tensor (400 MB): over 30 s on a busy 2-core machine

  it('skips the keys of parts the model was built without, when asked', async () => {
    const withAux = getModel('googlenet-torchvision', { numClasses: 5, auxLogits: true }).build([224, 224, 3]);
    const tensors = new Map<string, DecodedTensor>(
      Object.entries(await exportTorchvision(withAux, 'googlenet-torchvision')).map(([k, t]) => [
        k,
        { dtype: 'F32', shape: [...t.shape], offsets: [0, 0], values: t.data },
      ]),
    );
    withAux.dispose();
    const plain = getModel('googlenet-torchvision', { numClasses: 5 }).build([96, 96, 3]);
    expect(() => loadTorchvision(plain, 'googlenet-torchvision', tensors)).toThrow(
      /18 unexpected \(aux1\.conv\.conv\.weight/,
    );
    expect(
      loadTorchvision(plain, 'googlenet-torchvision', tensors, { ignore: ['aux1.', 'aux2.'] }).ignored,
    ).toHaveLength(18);
    plain.dispose();
  });

  it('a model with no torchvision mapping', () => {
    expect(() => torchvisionNames('alexnet', ['conv1/kernel'])).toThrow(UnsupportedError);
    expect(() => torchvisionNames('alexnet', ['conv1/kernel'])).toThrow(
      /^model "alexnet": has no torchvision mapping.*Caffe/,
    );
    expect(() => torchvisionNames('vgg11', ['conv6_1/kernel'])).toThrow(/no torchvision name: conv6_1\/kernel/);
  });
});
