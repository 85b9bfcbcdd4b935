// The layers against the ONNX backend test data (NCHW there, NHWC here):
// weights loaded from the test, outputs within rtol 1e-3.
import { initBackend } from '@convkit/backend';
import type { Padding2d } from '@convkit/shape';
import {
  hasTestdata,
  loadManifest,
  type ManifestNode,
  type OnnxTensor,
  readInitializers,
  readTestTensor,
  type Suite,
  tensorValues,
} from '@convkit/testdata';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Activation } from './activation.js';
import { Conv2d } from './conv.js';
import { Dense, Flatten } from './dense.js';
import { Dropout } from './dropout.js';
import type { Layer } from './layer.js';
import { LpPool2d } from './lp-pool.js';
import { BatchNorm, LocalResponseNorm } from './norm.js';
import { AvgPool2d, MaxPool2d } from './pool.js';

interface Case {
  label: string;
  node: ManifestNode;
  inputs: (OnnxTensor | undefined)[];
  output: OnnxTensor;
}

function cases(op: string, keep: (c: Case) => boolean): [string, Case][] {
  if (!hasTestdata()) return [];
  const suites: Suite[] = ['onnx-node', 'onnx-pytorch-converted', 'onnx-pytorch-operator'];
  return suites.flatMap((suite) =>
    loadManifest(suite)
      .filter((t) => t.nodes.length === 1 && t.nodes[0]?.op === op)
      .map((t) => {
        const node = t.nodes[0] as ManifestNode;
        const weights = readInitializers(suite, t.test);
        let free = 0;
        const inputs = node.inputs.map(
          (n) =>
            weights.get(n) ??
            (n && free < t.inputs.length ? readTestTensor(suite, t.test, 'input', free++) : undefined),
        );
        return { label: `${suite}/${t.test}`, node, inputs, output: readTestTensor(suite, t.test, 'output', 0) };
      })
      .filter(keep)
      .map((c) => [c.label, c] as [string, Case]),
  );
}

const tensor = (t: OnnxTensor) => tf.tensor(tensorValues(t), t.dims, 'float32');
const nhwc = (t: OnnxTensor) => tf.tidy(() => tf.transpose(tensor(t), [0, 2, 3, 1]));
const ints = (v: unknown, fallback: number[]) => (Array.isArray(v) ? v.map(Number) : fallback);
const rank4 = (c: Case) => c.inputs[0]?.dims.length === 4;

function padding(attrs: Record<string, unknown>): Padding2d {
  const auto = String(attrs.auto_pad ?? 'NOTSET');
  if (auto === 'SAME_UPPER') return 'same';
  if (auto === 'SAME_LOWER') return 'same-lower';
  if (auto === 'VALID') return 'valid';
  const p = ints(attrs.pads, [0, 0, 0, 0]);
  return [
    [p[0] as number, p[2] as number],
    [p[1] as number, p[3] as number],
  ];
}

async function expectLayer(
  layer: Layer,
  x: tf.Tensor,
  expected: tf.Tensor,
  weights: Record<string, tf.Tensor> = {},
  training = false,
) {
  layer.build(x.shape.slice(1));
  layer.setWeights(weights);
  const y = layer.apply(x, { training });
  expect(y.shape).toEqual(expected.shape);
  const [a, e] = await Promise.all([y.data(), expected.data()]);
  e.forEach((v, i) => {
    if (Math.abs((a[i] as number) - v) > 1e-5 + 1e-3 * Math.abs(v)) expect.fail(`element ${i}: ${a[i]} vs ${v}`);
  });
  tf.dispose([y, x, expected, ...Object.values(weights)]);
  layer.dispose();
}

beforeAll(async () => {
  await initBackend('cpu');
});

describe.skipIf(!hasTestdata())('layers against the ONNX data', () => {
  it.each(cases('Conv', rank4))('Conv2d: %s', async (_, c) => {
    const [x, w, b] = c.inputs as [OnnxTensor, OnnxTensor, OnnxTensor | undefined];
    const [filters, , kh, kw] = w.dims as [number, number, number, number];
    const a = c.node.attrs;
    const layer = new Conv2d({
      name: 'conv',
      filters,
      kernel: [kh, kw],
      stride: ints(a.strides, [1, 1]) as [number, number],
      dilation: ints(a.dilations, [1, 1]) as [number, number],
      groups: Number(a.group ?? 1),
      padding: padding(a),
      bias: b !== undefined,
    });
    const weights: Record<string, tf.Tensor> = { 'conv/kernel': tf.tidy(() => tf.transpose(tensor(w), [2, 3, 1, 0])) };
    if (b) weights['conv/bias'] = tensor(b);
    await expectLayer(layer, nhwc(x), nhwc(c.output), weights);
  });

  // Pooling layers have no dilation option; uint8 and the 1000×1000 dilated case are not layer inputs.
  const pooling = (c: Case) =>
    rank4(c) && c.inputs[0]?.dataType === 1 && ints(c.node.attrs.dilations, [1, 1]).every((d) => d === 1);
  it.each([...cases('MaxPool', pooling), ...cases('AveragePool', pooling)])('pooling: %s', async (_, c) => {
    const a = c.node.attrs;
    const config = {
      name: 'pool',
      kernel: ints(a.kernel_shape, [1, 1]) as [number, number],
      stride: ints(a.strides, [1, 1]) as [number, number],
      padding: padding(a),
      ceilMode: a.ceil_mode === 1,
    };
    const layer =
      c.node.op === 'MaxPool'
        ? new MaxPool2d(config)
        : new AvgPool2d({ ...config, countIncludePad: a.count_include_pad === 1 });
    await expectLayer(layer, nhwc(c.inputs[0] as OnnxTensor), nhwc(c.output));
  });

  // LpPool2d has no dilation option: test_lppool_2d_dilations is left out.
  it.each(cases('LpPool', (c) => rank4(c) && ints(c.node.attrs.dilations, [1, 1]).every((d) => d === 1)))(
    'LpPool2d: %s',
    async (_, c) => {
      const a = c.node.attrs;
      const layer = new LpPool2d({
        kernel: ints(a.kernel_shape, [1, 1]) as [number, number],
        // ONNX strides default to 1, the layer's to the kernel.
        stride: ints(a.strides, [1, 1]) as [number, number],
        padding: padding(a),
        p: Number(a.p ?? 2),
      });
      await expectLayer(layer, nhwc(c.inputs[0] as OnnxTensor), nhwc(c.output));
    },
  );

  // Dense is x·W + b: the Gemm cases with alpha = beta = 1, no transposed A, and a vector bias.
  const denseLike = (c: Case) => {
    const a = c.node.attrs;
    const bias = c.inputs[2];
    const units = c.output.dims[1] as number;
    return (
      (a.alpha ?? 1) === 1 &&
      (a.beta ?? 1) === 1 &&
      a.transA !== 1 &&
      (!bias || bias.dims.reduce((p, q) => p * q, 1) === units)
    );
  };
  it.each(cases('Gemm', denseLike))('Dense: %s', async (_, c) => {
    const [x, w, b] = c.inputs as [OnnxTensor, OnnxTensor, OnnxTensor | undefined];
    const units = c.output.dims[1] as number;
    const kernel = tf.tidy(() => (c.node.attrs.transB === 1 ? tf.transpose(tensor(w)) : tensor(w)));
    const weights: Record<string, tf.Tensor> = { 'fc/kernel': kernel };
    if (b) weights['fc/bias'] = tf.tidy(() => tf.reshape(tensor(b), [units]));
    await expectLayer(new Dense({ name: 'fc', units, bias: b !== undefined }), tensor(x), tensor(c.output), weights);
  });

  // Layer inputs are [batch, features] or [batch, h, w, c].
  const layerInput = (c: Case) => [2, 4].includes(c.inputs[0]?.dims.length ?? 0);
  const lastAxis = (c: Case) => {
    const rank = c.inputs[0]?.dims.length ?? 0;
    if (!layerInput(c)) return false;
    const axis = Number(c.node.attrs.axis ?? -1);
    return axis === -1 || axis === rank - 1;
  };
  it.each(cases('Softmax', lastAxis))('Activation softmax: %s', async (_, c) => {
    await expectLayer(new Activation({ fn: 'softmax' }), tensor(c.inputs[0] as OnnxTensor), tensor(c.output));
  });

  it.each(cases('LRN', rank4))('LocalResponseNorm: %s', async (_, c) => {
    const a = c.node.attrs;
    const layer = new LocalResponseNorm({
      size: Number(a.size),
      alpha: Number(a.alpha ?? 1e-4),
      beta: Number(a.beta ?? 0.75),
      k: Number(a.bias ?? 1),
    });
    await expectLayer(layer, nhwc(c.inputs[0] as OnnxTensor), nhwc(c.output));
  });

  it.each(cases('BatchNormalization', rank4))('BatchNorm: %s', async (_, c) => {
    const [x, scale, bias, mean, variance] = c.inputs as OnnxTensor[];
    const training = c.node.attrs.training_mode === 1;
    const layer = new BatchNorm({ name: 'bn', epsilon: Number(c.node.attrs.epsilon ?? 1e-5) });
    const weights = {
      'bn/gamma': tensor(scale as OnnxTensor),
      'bn/beta': tensor(bias as OnnxTensor),
      'bn/movingMean': tensor(mean as OnnxTensor),
      'bn/movingVariance': tensor(variance as OnnxTensor),
    };
    await expectLayer(layer, nhwc(x as OnnxTensor), nhwc(c.output), weights, training);
  });

  // ONNX flattens NCHW data row-major; the same bytes seen as an [N, h, w, c] volume flatten identically here.
  it.each(cases('Flatten', (c) => rank4(c) && Number(c.node.attrs.axis ?? 1) === 1))('Flatten: %s', async (_, c) => {
    await expectLayer(new Flatten(), tensor(c.inputs[0] as OnnxTensor), tensor(c.output));
  });

  // Inference-mode Dropout is the identity; the data are [3, 4, 5], seen here as 3 examples of 20 features.
  const flat = (t: OnnxTensor) => tf.tidy(() => tf.reshape(tensor(t), [t.dims[0] as number, -1]));
  it.each(cases('Dropout', (c) => c.node.inputs.length === 1 && (c.inputs[0]?.dims.length ?? 0) >= 2))(
    'Dropout at inference: %s',
    async (_, c) => {
      await expectLayer(new Dropout({ rate: 0.5 }), flat(c.inputs[0] as OnnxTensor), flat(c.output));
    },
  );
});
