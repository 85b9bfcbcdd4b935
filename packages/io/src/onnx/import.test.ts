import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend } from '@convkit/backend';
import {
  Activation,
  AvgPool2d,
  BatchNorm,
  Concat,
  Conv2d,
  Dense,
  Dropout,
  Flatten,
  fromJSON,
  GlobalPool2d,
  LocalResponseNorm,
  MaxPool2d,
  sequential,
  ZeroPadding2d,
} from '@convkit/layers';
import { hasTestdata, readTestTensor, tensorValues, testdataDir } from '@convkit/testdata';
import { getModel } from '@convkit/zoo';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { close, fromNhwc, toNhwc } from '../../test/nchw.js';
import { roundTrip } from '../../test/onnx-check.js';
import { randomizeWeights } from '../../test/random.js';
import { FormatError, UnsupportedError } from '../errors.js';
import { int64TensorProto, modelProto, node, tensorProto, valueInfo } from './builders.js';
import { exportOnnx } from './export.js';
import { convertOnnx, importOnnx } from './import.js';

beforeAll(async () => {
  await initBackend('cpu');
});

const SUITE = 'onnx-pytorch-converted';
const modelBytes = (test: string) => new Uint8Array(readFileSync(join(testdataDir(), SUITE, test, 'model.onnx')));

describe.skipIf(!hasTestdata())('importOnnx on PyTorch modules exported to ONNX (onnx-pytorch-converted)', () => {
  it.each([
    'test_Conv2d',
    'test_Conv2d_depthwise',
    'test_Conv2d_depthwise_padded',
    'test_Conv2d_depthwise_strided',
    'test_Conv2d_depthwise_with_multiplier',
    'test_Conv2d_dilated',
    'test_Conv2d_groups',
    'test_Conv2d_groups_thnn',
    'test_Conv2d_no_bias',
    'test_Conv2d_padding',
    'test_Conv2d_strided',
    'test_AvgPool2d',
    'test_AvgPool2d_stride',
    'test_MaxPool2d',
    'test_BatchNorm2d_eval',
    'test_BatchNorm2d_momentum_eval',
    'test_ZeroPad2d',
    'test_Linear',
    'test_Linear_no_bias',
    'test_ReLU',
    'test_Sigmoid',
    'test_Tanh',
    'test_Softmax',
    'test_softmax_lastdim',
  ])('%s: the imported layer gives the stored output', (test) => {
    const { model } = importOnnx(modelBytes(test), { fromJSON, file: test });
    const input = readTestTensor(SUITE, test, 'input', 0);
    const expected = tensorValues(readTestTensor(SUITE, test, 'output', 0));
    const y = tf.tidy(() => model.apply(toNhwc(Float32Array.from(tensorValues(input)), input.dims)));
    expect(close(fromNhwc(y), expected)).toBeUndefined();
    y.dispose();
    model.dispose();
  });

  it.each([
    ['test_MaxPool2d_stride_padding_dilation', /\(MaxPool\): dilations \[10, 10\]: convkit pools are not dilated/],
    ['test_PReLU_2d', /\(PRelu\): convkit has no layer for ONNX PRelu/],
    ['test_ReflectionPad2d', /\(Pad\): mode reflect/],
    ['test_ConvTranspose2d', /\(ConvTranspose\): convkit has no layer/],
    ['test_Conv3d', /input "0": has dims \[2, 3, 3, 4, 5\]/],
    ['test_log_softmax_dim3', /\(LogSoftmax\)/],
  ])('%s: UnsupportedError naming the node and op', (test, message) => {
    expect(() => importOnnx(modelBytes(test), { fromJSON, file: test })).toThrow(UnsupportedError);
    expect(() => importOnnx(modelBytes(test), { fromJSON, file: test })).toThrow(message);
  });
});

describe('convkit → ONNX → convkit gives identical outputs', () => {
  it.each([
    ['lenet5-modern', [28, 28, 1]],
    ['alexnet', [99, 99, 3]],
    ['googlenet-torchvision', [64, 64, 3]],
    ['vgg11-bn', [32, 32, 3]],
  ] as const)(
    '%s at %j',
    async (name, input) => {
      const model = getModel(name, { numClasses: 7 }).build([...input], { seed: 4 });
      randomizeWeights(model, 8);
      const imported = await roundTrip(model, [...input]);
      // Same weights under the same names: the importer names layers after the exported nodes.
      const original = Object.fromEntries(model.namedWeights().map(([n, v]) => [n, v.shape]));
      const back = Object.fromEntries(imported.model.namedWeights().map(([n, v]) => [n, v.shape]));
      expect(back).toEqual(original);
      model.dispose();
      imported.model.dispose();
    },
    60_000,
  );

  it('every layer option the exporter writes', async () => {
    const model = sequential([
      new ZeroPadding2d({
        padding: [
          [0, 1],
          [1, 0],
        ],
      }),
      new Conv2d({ filters: 6, kernel: 3, stride: 2, dilation: 2, padding: 'same', activation: 'leakyRelu' }),
      new Conv2d({ filters: 6, kernel: [3, 1], groups: 3, padding: [[1, 0], 0], activation: 'tanh' }),
      new BatchNorm({ epsilon: 1e-3, scale: false }),
      new Activation({ fn: 'leakyRelu', alpha: 0.2 }),
      new LocalResponseNorm({ size: 3, alpha: 1e-2, beta: 0.6, k: 1.5 }),
      new Concat([
        new Conv2d({ filters: 4, kernel: 1, activation: 'sigmoid' }),
        sequential([
          new MaxPool2d({ kernel: 3, stride: 1, padding: 1 }),
          new Conv2d({ filters: 2, kernel: 1, activation: 'elu' }),
        ]),
        new AvgPool2d({ kernel: 3, stride: 1, padding: 1, countIncludePad: true }),
      ]),
      new AvgPool2d({ kernel: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: true }),
      new MaxPool2d({ kernel: 2, stride: 1, ceilMode: true }),
      new Conv2d({ filters: 3, kernel: 1, activation: 'relu6', connections: [[0, 1], [2, 5, 9], [11]] }),
      new Activation({ fn: 'selu' }),
      new Flatten(),
      new Dropout({ rate: 0.5 }),
      new Dense({ units: 7, bias: false, activation: 'softplus' }),
      new Dense({ units: 5, activation: 'softmax' }),
    ]);
    model.build([17, 13, 3], { seed: 1 });
    randomizeWeights(model, 2);
    await roundTrip(model, [17, 13, 3]);
  });

  it('a global pool, and a map as the output', async () => {
    const pooled = sequential([
      new Conv2d({ filters: 3, kernel: 2, activation: 'relu' }),
      new GlobalPool2d({ mode: 'max' }),
    ]);
    pooled.build([9, 7, 4], { seed: 1 });
    await roundTrip(pooled, [9, 7, 4]);
    const map = sequential([new Conv2d({ filters: 3, kernel: 2 }), new Activation({ fn: 'softmax' })]);
    map.build([9, 7, 4], { seed: 1 });
    await roundTrip(map, [9, 7, 4]);
  });
});

describe('importOnnx errors', () => {
  const lenet = async () => {
    const model = getModel('lenet5-modern').build([28, 28, 1]);
    const bytes = await exportOnnx(model, { input: [28, 28, 1] });
    model.dispose();
    return bytes;
  };

  it('a cut file is a FormatError naming the file and the byte', async () => {
    const bytes = await lenet();
    expect(() => importOnnx(bytes.subarray(0, 1000), { fromJSON, file: 'cut.onnx' })).toThrow(FormatError);
    expect(() => importOnnx(bytes.subarray(0, 1000), { fromJSON, file: 'cut.onnx' })).toThrow(
      /^cut\.onnx at byte \d+: /,
    );
  });

  it('bytes that are not a model', () => {
    expect(() => importOnnx(new TextEncoder().encode('{"not": "onnx"}'), { fromJSON, file: 'x.json' })).toThrow(
      FormatError,
    );
  });

  it('symbolic input dims need { input }', async () => {
    const model = sequential([new Conv2d({ filters: 2, kernel: 3 })]);
    model.build([8, 8, 1]);
    const bytes = await exportOnnx(model, { input: [8, 8, 1] });
    // The exported batch is symbolic; height and width are fixed, so a different size is refused.
    expect(() => importOnnx(bytes, { fromJSON, input: [9, 8, 1] })).toThrow(/do not fit the given input \[9, 8, 1\]/);
    expect(importOnnx(bytes, { fromJSON, input: [8, 8, 1] }).input).toEqual([8, 8, 1]);
  });
});

describe('hostile graphs', () => {
  /** A one-convolution graph whose kernel is a ConstantOfShape of `dims`. */
  const constantKernel = (dims: number[]) =>
    modelProto({
      name: 'g',
      nodes: [node('ConstantOfShape', ['shape'], ['w'], 'fill'), node('Conv', ['x', 'w'], ['y'], 'conv')],
      initializers: [int64TensorProto('shape', [4], dims)],
      inputs: [valueInfo('x', [1, 3, 8, 8])],
      outputs: [valueInfo('y', [1, dims[0] ?? 0, 6, 6])],
    });

  it('a ConstantOfShape asking for more weights than the limit is refused before anything is allocated', () => {
    expect(convertOnnx(constantKernel([4, 3, 3, 3])).weights.get('conv/kernel')?.shape).toEqual([3, 3, 3, 4]);
    expect(() => convertOnnx(constantKernel([100_000_000, 3, 3, 3]))).toThrow(/weights pass 268435456 elements/);
    expect(() => convertOnnx(constantKernel([4, 3, 3, 3]), { maxWeightElements: 100 })).toThrow(UnsupportedError);
  });

  it('a length prefix longer than the bytes left is a FormatError at that byte', () => {
    const bytes = constantKernel([4, 3, 3, 3]);
    const cut = bytes.slice(0, bytes.length - 3);
    expect(() => convertOnnx(cut, { file: 'cut.onnx' })).toThrow(
      /^cut\.onnx at byte \d+: field \d+ declares \d+ bytes, only \d+ are left/,
    );
  });

  it('nodes out of topological order (a cycle, for instance) are a FormatError naming the node', () => {
    const bytes = modelProto({
      name: 'loop',
      nodes: [node('Relu', ['b'], ['a'], 'first'), node('Relu', ['a'], ['b'], 'second')],
      initializers: [],
      inputs: [valueInfo('x', [1, 3, 8, 8])],
      outputs: [valueInfo('b', [1, 3, 8, 8])],
    });
    expect(() => convertOnnx(bytes, { file: 'loop.onnx' })).toThrow(
      /node "first" \(Relu\) reads "b", which no earlier node, initializer or input produces/,
    );
  });

  it('a weight whose data does not match its dims is a FormatError naming the tensor', () => {
    const bytes = modelProto({
      name: 'g',
      nodes: [node('Conv', ['x', 'w'], ['y'], 'conv')],
      initializers: [tensorProto('w', [2, 3, 3, 3], new Float32Array(54))],
      inputs: [valueInfo('x', [1, 3, 8, 8])],
      outputs: [valueInfo('y', [1, 2, 6, 6])],
    });
    expect(convertOnnx(bytes).weights.get('conv/kernel')?.shape).toEqual([3, 3, 3, 2]);
    // Claim 3 filters: dims 3·3·3·3 = 81 values, the raw data has 54.
    const patched = bytes.slice();
    // The first dim varint of the initializer (field 1, value 2) becomes 3.
    const at = patched.findIndex(
      (b, k) => b === 0x08 && patched[k + 1] === 2 && patched[k + 2] === 0x08 && patched[k + 3] === 3,
    );
    expect(at).toBeGreaterThan(0);
    patched[at + 1] = 3;
    expect(() => convertOnnx(patched, { file: 'w.onnx' })).toThrow(
      /tensor "w" \[3, 3, 3, 3\] needs 324 bytes of data, has 216/,
    );
  });
});

describe('tensors', () => {
  it('export and import leave no tensor behind but the models’ own weights', async () => {
    const start = tf.memory().numTensors;
    const model = getModel('lenet5-modern').build([28, 28, 1]);
    const weights = model.weights().length;
    const { model: imported } = importOnnx(await exportOnnx(model, { input: [28, 28, 1] }), { fromJSON });
    expect(tf.memory().numTensors).toBe(start + 2 * weights);
    model.dispose();
    imported.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });
});
