import type { LayerJSON } from '@convkit/layers';
import { ShapeError } from '@convkit/shape';
import { getModel } from '@convkit/zoo';
import { describe, expect, it } from 'vitest';
import { UnsupportedError } from '../errors.js';
import { pytorchModelFiles } from './emit-model.js';

// The paper layers' model.py text, without torch (paper-parity.test.ts runs it): what each layer
// becomes, with arguments worked out by hand from convkit's geometry, and the errors that name a layer.

const L = (type: string, config: Record<string, unknown> = {}): LayerJSON => ({ type, config });
const seq = (...layers: LayerJSON[]): LayerJSON => L('sequential', { layers });
const files = (json: LayerJSON, inputShape: number[]) => pytorchModelFiles(json, { inputShape });

describe('the paper layers in model.py', () => {
  it("writes LeNet-5's C3 table, S2/S4 and RBF output, and only the runtime classes it uses, needs first", () => {
    const { 'model.py': model = '', 'convkit_runtime.py': runtime = '' } = files(
      getModel('lenet5').toJSON(),
      [32, 32, 1],
    );
    expect(model).toContain('self.C3 = ck.ConnectedConv2d(6, 16, [5, 5], [[0, 1, 2], [1, 2, 3], [2, 3, 4],');
    expect(model).toContain('self.S2 = ck.Subsample2d(6, [2, 2], [2, 2])');
    expect(model).toContain('x = torch.tanh(self.S4(x))'); // the fused activation after coefficient and bias
    expect(model).toContain('self.output = ck.EuclideanRbf(84, 10)');
    expect(model).toContain('"output/centres": ("output.centres", "same")');
    expect(model).toContain('"C3/kernel": ("C3.weight", "oihw")');
    const order = ['def window_sum', 'class Subsample2d', 'class ConnectedConv2d', 'class EuclideanRbf'].map((s) =>
      runtime.indexOf(s),
    );
    expect(order.every((at) => at >= 0)).toBe(true);
    expect(order[0]).toBeLessThan(order[1] as number);
    expect(runtime).not.toContain('class LpPool2d');
  });

  it("places the pools' windows as convkit does: 'same' on 6×6 with kernel 3, stride 2 pads (0, 1, 0, 1)", () => {
    const json = seq(
      L('lpPool2d', { kernel: 3, stride: 2, padding: 'same', p: 3 }),
      L('stochasticPool2d', { kernel: 2 }),
      L('channelPool', { pieces: 2 }),
    );
    const model = files(json, [6, 6, 4])['model.py'] ?? '';
    expect(model).toContain('ck.LpPool2d([3, 3], [2, 2], (0, 1, 0, 1), p=3)');
    expect(model).toContain('ck.StochasticPool2d([2, 2], [2, 2])'); // 3×3 → floor: 1×1
    expect(model).toContain('ck.ChannelPool(2)');
    expect(model).toContain('Output: a map [N, 2, 1, 1] (NCHW)');
  });

  it('maps maxout to an nn.Linear and LRN to nn.LocalResponseNorm with convkit’s defaults', () => {
    const model = files(seq(L('lrn'), L('flatten'), L('maxout', { units: 3, pieces: 4 })), [2, 2, 5])['model.py'] ?? '';
    expect(model).toContain('nn.LocalResponseNorm(5, alpha=0.0001, beta=0.75, k=2)');
    expect(model).toContain('ck.Maxout(20, 3, 4)');
    expect(model).toContain('"maxout1/kernel": ("maxout1.linear.weight", "linear")');
  });

  it('runs an auxiliary head only while training, and returns (logits, [aux]) then', () => {
    const head = seq(L('globalPool2d'), L('dense', { units: 3 }));
    const json = seq(
      L('conv2d', { filters: 2, kernel: 1 }),
      L('auxiliaryHead', { name: 'side', head }),
      L('flatten'),
      L('dense', { units: 3 }),
    );
    const model = files(json, [2, 2, 1])['model.py'] ?? '';
    expect(model).toMatch(
      / {8}if self\.training:\n {12}side_out = x\.mean\(dim=\(2, 3\)\)\n {12}side_out = self\.dense1\(side_out\)\n {12}aux\.append\(side_out\)\n/,
    );
    expect(model).toContain('if self.training and aux:');
  });

  it('throws errors that name the layer: a bad connection table, a map where a vector goes, pieces that do not divide', () => {
    const table = seq(L('conv2d', { name: 'C3', filters: 2, kernel: 3, connections: [[0, 1]] }));
    expect(() => files(table, [5, 5, 2])).toThrow(ShapeError);
    expect(() => files(table, [5, 5, 2])).toThrow(/C3.*1 rows for 2 filters/);
    const outOfRange = seq(L('conv2d', { name: 'C3', filters: 1, kernel: 3, connections: [[0, 2]] }));
    expect(() => files(outOfRange, [5, 5, 2])).toThrow(/C3.*distinct integer in 0\.\.1/);
    expect(() => files(seq(L('euclideanRbf', { name: 'out', units: 2 })), [2, 2, 1])).toThrow(UnsupportedError);
    expect(() => files(seq(L('euclideanRbf', { name: 'out', units: 2 })), [2, 2, 1])).toThrow(
      /out \(euclideanRbf\).*put a flatten before it/,
    );
    expect(() => files(seq(L('channelPool', { name: 'cp', pieces: 3 })), [2, 2, 4])).toThrow(
      /cp \(channelPool\).*4 channels/,
    );
  });
});
