import { trace } from '@convkit/shape';
import { getModel } from '@convkit/zoo';
import { describe, expect, it } from 'vitest';
import { ALEXNET, BenchLayerError, fromZoo, LENET5, VGG16 } from './architectures.js';
import { architectureCost } from './cost.js';

describe('the bench tables read off the zoo', () => {
  const zooModels = { 'lenet5-modern': LENET5, 'alexnet-torchvision': ALEXNET, vgg16: VGG16 };

  it.each(Object.entries(zooModels))('keep every parameter and MAC of %s (dropout has none)', (model, table) => {
    const s = trace(table.input, getModel(model, { input: table.input }).specs(table.input));
    expect(architectureCost(table)).toEqual({ params: s.totals.params, macs: s.totals.macs });
  });

  it("resolve LeNet-5's 'same' padding to 2 and VGG's pools to 2×2 stride 2", () => {
    expect(LENET5.layers[0]).toEqual({
      type: 'conv',
      filters: 6,
      kernel: 5,
      stride: 1,
      padding: 2,
      bias: true,
      relu: true,
    });
    expect(VGG16.layers.filter((l) => l.type === 'pool')).toEqual(
      Array(5).fill({ type: 'pool', kernel: 2, stride: 2 }),
    );
    expect(VGG16.layers.at(-1)).toEqual({ type: 'dense', units: 1000, relu: false });
  });

  it('refuse layers the peers cannot run, naming the model and the layer', () => {
    // The paper's AlexNet and VGG A-LRN normalize across channels; GoogLeNet's ceil-mode pools read one padded row and column.
    expect(() => fromZoo('alexnet', 'AlexNet (paper)', [227, 227, 3])).toThrow(BenchLayerError);
    expect(() => fromZoo('alexnet', 'AlexNet (paper)', [227, 227, 3])).toThrow(/^alexnet: layer lrn1 .*a lrn layer$/);
    expect(() => fromZoo('googlenet', 'GoogLeNet', [224, 224, 3])).toThrow(
      /^googlenet: layer pool1\/3x3_s2 .*received \[\[0,1\],\[0,1\]\]$/,
    );
    expect(() => fromZoo('vgg-a-lrn', 'VGG A-LRN', [224, 224, 3])).toThrow(/lrn layer/);
  });
});
