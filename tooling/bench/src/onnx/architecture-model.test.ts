import { tensorValues } from '@convkit/testdata';
import { describe, expect, it } from 'vitest';
import { CONV3X3, LENET5 } from '../architectures.js';
import { architectureCost } from '../cost.js';
import { architectureToOnnx, ONNX_INPUT } from './architecture-model.js';
import { decodeModel } from './decode-model.js';

describe('architectureToOnnx', () => {
  const lenet = decodeModel(architectureToOnnx(LENET5, 64));

  it('is an IR 7 model importing the default domain at opset 13', () => {
    expect(lenet.irVersion).toBe(7);
    expect(lenet.opsets).toEqual([{ domain: '', version: 13 }]);
  });

  it('lays LeNet-5 out as PyTorch exports it: NCHW input, Conv/Relu/MaxPool/Flatten/Gemm', () => {
    expect(lenet.inputs).toEqual([{ name: ONNX_INPUT, dims: [64, 1, 28, 28] }]);
    expect(lenet.nodes.map((n) => n.opType)).toEqual([
      'Conv',
      'Relu',
      'MaxPool',
      'Conv',
      'Relu',
      'MaxPool',
      'Flatten',
      'Gemm',
      'Relu',
      'Gemm',
      'Relu',
      'Gemm',
    ]);
    expect(lenet.nodes[0]?.ints).toEqual({ kernel_shape: [5, 5], pads: [2, 2, 2, 2], strides: [1, 1] });
    expect(lenet.nodes[2]?.ints).toEqual({ kernel_shape: [2, 2], strides: [2, 2] });
    expect(lenet.nodes[6]?.ints).toEqual({ axis: [1] });
    expect(lenet.nodes[7]?.ints).toEqual({ transB: [1] });
    const last = lenet.nodes.at(-1);
    expect(lenet.outputs).toEqual([{ name: last?.outputs[0], dims: [64, 10] }]);
  });

  it('chains every node to the previous output, from the graph input', () => {
    let current = ONNX_INPUT;
    for (const n of lenet.nodes) {
      expect(n.inputs[0]).toBe(current);
      current = n.outputs[0] ?? '';
    }
  });

  it('stores float32 initializers in raw_data with OIHW and [units, in] shapes, all parameters included', () => {
    const dims = Object.fromEntries(lenet.initializers.map((t) => [t.name, t.dims]));
    expect(dims['conv0.weight']).toEqual([6, 1, 5, 5]);
    expect(dims['conv2.weight']).toEqual([16, 6, 5, 5]);
    expect(dims['dense5.weight']).toEqual([120, 400]);
    for (const t of lenet.initializers) {
      expect(t.dataType).toBe(1);
      expect(t.raw?.length).toBe(4 * t.dims.reduce((a, b) => a * b, 1));
    }
    const total = lenet.initializers.reduce((n, t) => n + t.dims.reduce((a, b) => a * b, 1), 0);
    expect(total).toBe(architectureCost(LENET5).params);
  });

  it('draws seeded He-uniform weights: the same bytes each time, within ±√(6/fan-in)', () => {
    const first = (m: typeof lenet) => m.initializers.find((t) => t.name === 'conv0.weight');
    const w = first(lenet);
    const again = first(decodeModel(architectureToOnnx(LENET5, 64)));
    expect(w && again && tensorValues(again)).toEqual(w && tensorValues(w));
    const values = w ? tensorValues(w) : [];
    expect(Math.max(...values.map(Math.abs))).toBeLessThanOrEqual(Math.sqrt(6 / 25));
    expect(new Set(values).size).toBe(values.length);
  });

  it('leaves the bias out of a conv that has none', () => {
    const conv = decodeModel(architectureToOnnx(CONV3X3, 8));
    expect(conv.nodes.map((n) => [n.opType, n.inputs.length])).toEqual([['Conv', 2]]);
    expect(conv.outputs[0]?.dims).toEqual([8, 64, 56, 56]);
  });
});
