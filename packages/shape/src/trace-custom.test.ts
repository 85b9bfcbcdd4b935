import { describe, expect, it } from 'vitest';
import { ShapeError } from './errors.js';
import type { CustomSpec, LayerSpec } from './specs.js';
import { trace } from './trace.js';

// A Squeeze-and-Excitation gate on [8, 8, 16], ratio 4, written out by hand:
// dense 16→4 (64 + 4 params, 64 MACs), dense 4→16 (64 + 16, 64 MACs), and
// the gate's element-wise multiply, h·w·c = 8·8·16 = 1024 MACs.
const seGate: CustomSpec = {
  type: 'custom',
  kind: 'se',
  output: (input) => input,
  params: { trainable: 68 + 80 },
  macs: 64 + 64 + 1024,
};

const stack: LayerSpec[] = [
  { type: 'conv', filters: 16, kernel: 3, padding: 1 }, // 8·8·16·27 = 27,648 MACs, 448 params
  seGate,
  { type: 'globalPool' },
  { type: 'dense', units: 10 }, // 160 MACs, 170 params
];

describe('trace of a custom spec', () => {
  it('takes the declared output shape, parameters and MACs, named after its kind', () => {
    const t = trace([8, 8, 3], stack);
    const row = t.rows[1];
    expect(row).toMatchObject({
      name: 'se1',
      type: 'custom',
      kind: 'se',
      inputShape: [8, 8, 16],
      outputShape: [8, 8, 16],
      params: { trainable: 148, nonTrainable: 0 },
      macs: 1152,
      flops: 2304,
      activations: 1024,
      activationBytes: 4096,
    });
    expect(t.totals).toMatchObject({ params: 448 + 148 + 170, macs: 27_648 + 1152 + 160 });
    // 'none' (the default): each output pixel sees what its input pixel saw, the conv's 3×3.
    expect(row?.receptiveField).toEqual(t.rows[0]?.receptiveField);
  });

  it('grows the receptive field by a declared window, and a fixed output shape works too', () => {
    const spaceToDepth: CustomSpec = {
      type: 'custom',
      kind: 'spaceToDepth',
      name: 's2d',
      output: [4, 4, 16],
      field: { kernel: 2, stride: 2 },
    };
    const row = trace([8, 8, 4], [spaceToDepth]).rows[0];
    // One 2×2/2 window from a pixel: size 1 + (2 − 1)·1 = 2, jump 2, centre 0.5.
    expect(row?.receptiveField).toEqual({ size: [2, 2], jump: [2, 2], start: [0.5, 0.5] });
    expect(row?.name).toBe('s2d');
  });

  it("drops the receptive field for 'global'", () => {
    const row = trace([8, 8, 4], [{ type: 'custom', kind: 'gate', output: [8, 8, 4], field: 'global' }]).rows[0];
    expect(row?.receptiveField).toBeUndefined();
  });

  it('counts non-trainable parameters and the activations kept for backward in memory', () => {
    const input = [4, 4, 2]; // 32 elements
    const none = trace(input, [{ type: 'custom', kind: 'view', output: [32], stored: 0, params: { nonTrainable: 5 } }]);
    expect(none.totals).toMatchObject({ nonTrainable: 5, trainable: 0, activations: 32 });
    expect(none.rows[0]?.activationBytes).toBe(0);
    const more = trace(input, [{ type: 'custom', kind: 'keep', output: [4, 4, 2], stored: 100 }]);
    expect(more.totals.activations).toBe(32 + 100);
    expect(more.rows[0]?.activationBytes).toBe(400);
    expect(more.memory.activationsPerImage).toBe(4 * 132);
  });

  it('is traced inside concat branches like any layer', () => {
    const t = trace([8, 8, 16], [{ type: 'concat', branches: [[seGate], []] }]);
    expect(t.output).toEqual([8, 8, 32]);
    expect(t.rows[0]?.branches?.[0]?.[0]).toMatchObject({ depth: 1, kind: 'se', macs: 1152 });
    expect(t.totals.macs).toBe(1152);
  });

  it.each([
    [[8, 0, 16], /^gate: declares the output shape \[8, 0, 16\] for the input \[8, 8, 16\]/],
    [[8, 8], /^gate: declares the output shape \[8, 8\]/],
    [() => [2.5], /^gate: declares the output shape \[2\.5\]/],
  ])('a bad declared output shape %j is a ShapeError naming the layer', (output, message) => {
    const spec = { type: 'custom', kind: 'se', name: 'gate', output } as CustomSpec;
    expect(() => trace([8, 8, 16], [spec])).toThrow(ShapeError);
    expect(() => trace([8, 8, 16], [spec])).toThrow(message);
  });

  it('rejects negative or fractional costs and a missing kind, naming the layer', () => {
    const base = { type: 'custom', output: [8, 8, 16] } as const;
    expect(() => trace([8, 8, 16], [{ ...base, kind: 'se', macs: -1 }])).toThrow(
      /^se1: declared macs must be an integer ≥ 0, received -1/,
    );
    expect(() => trace([8, 8, 16], [{ ...base, kind: 'se', name: 'g', params: { trainable: 1.5 } }])).toThrow(
      /^g: declared trainable parameters must be an integer ≥ 0, received 1.5/,
    );
    expect(() => trace([8, 8, 16], [{ ...base, kind: '' } as CustomSpec])).toThrow(
      /a custom spec needs a kind \(the layer's type, e.g. "squeezeExcite"\), received ""/,
    );
    expect(() => trace([8], [{ ...base, kind: 'w', output: [4, 4, 1], field: { kernel: 2 } }])).toThrow(
      /^w1: custom needs an input of \[height, width, channels\]/,
    );
  });
});
