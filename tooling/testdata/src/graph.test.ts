import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeGraph, weightShapes } from './graph.js';
import { hasTestdata, testdataDir } from './manifest.js';

describe('decodeGraph', () => {
  it('reads a hand-encoded node with int, ints, float, string and tensor attributes', () => {
    const enc = (s: string) => [...new TextEncoder().encode(s)];
    const varint = (n: number): number[] => (n < 0x80 ? [n] : [(n & 0x7f) | 0x80, ...varint(n >>> 7)]);
    const ld = (field: number, body: number[]) => [(field << 3) | 2, ...varint(body.length), ...body];
    const f32 = [...new Uint8Array(new Float32Array([0.75]).buffer)];
    const attr = (body: number[]) => ld(5, body);
    const node = [
      ...ld(1, enc('x')),
      ...ld(1, enc('w')),
      ...ld(2, enc('y')),
      ...ld(4, enc('Conv')),
      ...attr([...ld(1, enc('group')), 0x18, 2, 0xa0, 0x01, 2]), // i = 2, type INT
      ...attr([...ld(1, enc('pads')), ...ld(8, [1, 1, 2, 2]), 0xa0, 0x01, 7]), // packed ints
      ...attr([...ld(1, enc('strides')), 0x40, 4, 0x40, 4]), // unpacked ints, no type
      ...attr([...ld(1, enc('beta')), 0x15, ...f32, 0xa0, 0x01, 1]),
      ...attr([...ld(1, enc('auto_pad')), ...ld(4, enc('NOTSET')), 0xa0, 0x01, 3]),
      ...attr([...ld(1, enc('value')), ...ld(5, [0x08, 1, 0x10, 7, 0x3a, 1, 5]), 0xa0, 0x01, 4]),
    ];
    const graph = [...ld(1, node), ...ld(5, [0x08, 2, 0x10, 7, 0x38, 3, 0x38, 4, ...ld(8, enc('s'))])];
    const { nodes, initializers } = decodeGraph(new Uint8Array(ld(7, graph)));
    expect(nodes).toHaveLength(1);
    expect(nodes[0]).toMatchObject({ op: 'Conv', inputs: ['x', 'w'], outputs: ['y'] });
    expect(nodes[0]?.attrs).toMatchObject({
      group: 2,
      pads: [1, 1, 2, 2],
      strides: [4, 4],
      beta: 0.75,
      auto_pad: 'NOTSET',
    });
    expect(nodes[0]?.attrs.value).toMatchObject({ dims: [1], dataType: 7, int64Data: [5n] });
    expect(initializers.get('s')).toMatchObject({ dims: [2], int64Data: [3n, 4n] });
  });

  it('throws on bytes without a graph', () => {
    expect(() => decodeGraph(new Uint8Array([0x08, 3]))).toThrow(/no graph/);
  });
});

const alexnetFile = () => join(testdataDir(), 'onnx-light', 'light_bvlc_alexnet.onnx');

describe.skipIf(!hasTestdata() || !existsSync(alexnetFile()))('the ONNX light AlexNet', () => {
  const graph = decodeGraph(readFileSync(alexnetFile()));

  it('has the op counts of its manifest', () => {
    const counts: Record<string, number> = {};
    for (const node of graph.nodes) counts[node.op] = (counts[node.op] ?? 0) + 1;
    expect(counts).toEqual({
      ConstantOfShape: 16,
      Conv: 5,
      Relu: 7,
      LRN: 2,
      MaxPool: 3,
      Reshape: 1,
      Gemm: 3,
      Dropout: 2,
      Softmax: 1,
    });
  });

  it('resolves 16 weight shapes summing to 60,965,224', () => {
    const shapes = weightShapes(graph);
    expect(shapes).toHaveLength(16);
    // Each layer's bias comes first, then its weight.
    expect(shapes.slice(0, 4)).toEqual([
      { name: 'conv1_b_0', dims: [96] },
      { name: 'conv1_w_0', dims: [96, 3, 11, 11] },
      { name: 'conv2_b_0', dims: [256] },
      { name: 'conv2_w_0', dims: [256, 48, 5, 5] },
    ]);
    expect(shapes.at(-1)).toEqual({ name: 'fc8_w_0', dims: [1000, 4096] });
    expect(shapes.reduce((sum, s) => sum + s.dims.reduce((a, b) => a * b, 1), 0)).toBe(60_965_224);
  });

  it('reads the conv and LRN attributes', () => {
    const convs = graph.nodes.filter((n) => n.op === 'Conv');
    expect(convs.map((n) => n.attrs.group ?? 1)).toEqual([1, 2, 1, 2, 2]);
    expect(convs[0]?.attrs).toMatchObject({ kernel_shape: [11, 11], strides: [4, 4] });
    const lrn = graph.nodes.find((n) => n.op === 'LRN');
    expect(lrn?.attrs).toMatchObject({ size: 5, bias: 1 });
    expect(lrn?.attrs.alpha).toBeCloseTo(1e-4, 8);
    expect(lrn?.attrs.beta).toBeCloseTo(0.75, 6);
  });
});
