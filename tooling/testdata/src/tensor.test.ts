import { describe, expect, it } from 'vitest';
import { hasTestdata, loadManifest, readInitializers, readTestTensor } from './manifest.js';
import { decodeTensor, type OnnxTensor, tensorValues } from './tensor.js';

describe('decodeTensor', () => {
  it('reads a hand-encoded float tensor', () => {
    // dims 2 (field 1 varint), dims 3, data_type 1, name "x", raw_data 6 floats
    const raw = new Float32Array([1, -2, 3.5, 0, 0.25, 6]);
    const rawBytes = new Uint8Array(raw.buffer);
    const bytes = new Uint8Array([0x08, 2, 0x08, 3, 0x10, 1, 0x42, 1, 0x78, 0x4a, rawBytes.length, ...rawBytes]);
    const t = decodeTensor(bytes);
    expect(t).toMatchObject({ name: 'x', dims: [2, 3], dataType: 1 });
    expect(tensorValues(t)).toEqual([1, -2, 3.5, 0, 0.25, 6]);
  });

  it('rejects a truncated varint', () => {
    expect(() => decodeTensor(new Uint8Array([0x08, 0x80]))).toThrow(/truncated varint/);
  });
});

describe.skipIf(!hasTestdata())('the shared ONNX data', () => {
  it('decodes every output tensor of onnx-node with the shape its manifest lists', () => {
    const tests = loadManifest('onnx-node').filter((t) => t.outputs.length > 0);
    expect(tests.length).toBeGreaterThan(200);
    for (const test of tests) {
      const t = readTestTensor('onnx-node', test.test, 'output', 0);
      expect(t.dims, test.test).toEqual(test.outputs[0]?.shape);
      expect(tensorValues(t)).toHaveLength(t.dims.reduce((a, b) => a * b, 1));
    }
  });

  it('reads the weights inside onnx-pytorch-converted models with the shapes the manifest lists', () => {
    const tests = loadManifest('onnx-pytorch-converted').filter((t) => t.initializers.length > 0);
    expect(tests.length).toBeGreaterThan(30);
    for (const test of tests) {
      const weights = readInitializers('onnx-pytorch-converted', test.test);
      for (const listed of test.initializers) {
        const tensor = weights.get(listed.name);
        expect(tensor?.dims, `${test.test}/${listed.name}`).toEqual(listed.shape);
        expect(tensorValues(tensor as OnnxTensor)).toHaveLength(listed.shape.reduce((a, b) => a * b, 1));
      }
    }
  });
});
