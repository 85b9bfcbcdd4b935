import { registerOnnxExport } from '@convkit/io';
import { type BaseConfig, Conv2d, Dense, Flatten, Layer, MaxPool2d, registerLayer, sequential } from '@convkit/layers';
import { registerModel } from '@convkit/zoo';
import * as tf from '@tensorflow/tfjs-core';

// What a downstream project passes to `convkit … --import`: a layer of its own (a learned gain per
// channel), a zoo model using it, and the layer's ONNX form, registered when the module loads.

type Shape = Parameters<Layer['specs']>[0];
type LayerSpec = ReturnType<Layer['specs']>[number];

declare module '@convkit/layers' {
  interface LayerConfigs {
    channelGain: BaseConfig;
  }
}

/** y = x · g[c] on `[h, w, c]`, g starting at 1. */
class ChannelGain extends Layer {
  readonly type = 'channelGain';

  specs(input: Shape): LayerSpec[] {
    const c = input.at(-1) ?? 0;
    const size = input.reduce((a, b) => a * b, 1);
    return [
      { type: 'custom', kind: this.type, name: this.name, output: [...input], params: { trainable: c }, macs: size },
    ];
  }

  override weightSpecs(input: Shape) {
    return [{ name: 'gain', shape: [input.at(-1) ?? 0], trainable: true, init: 'ones' as const }];
  }

  protected call(x: tf.Tensor): tf.Tensor {
    return tf.mul(x, this.weight('gain'));
  }
}

registerLayer('channelGain', (config) => new ChannelGain(config), { keys: { name: true } });

// The graph carries maps as NCHW: the gain broadcasts as [c, 1, 1].
registerOnnxExport('channelGain', (layer, ctx) => {
  const shape = ctx.int64s(`${layer.name}/gain_shape`, [ctx.inputShape.at(-1) ?? 0, 1, 1]);
  const gain = ctx.add('Reshape', [ctx.weight('gain'), shape], `${layer.name}/gain_chw`);
  return ctx.add('Mul', [ctx.input, gain], layer.name);
});

registerModel({
  card: {
    name: 'gained-net',
    paper: { title: 'a downstream test model', authors: 'convkit tests', year: 2026 },
    family: 'plugin',
    input: [28, 28, 1],
    numClasses: 10,
    deviations: [],
    inputs: '≥ 4×4',
  },
  build: ({ numClasses }) =>
    sequential([
      new Conv2d({ name: 'conv1', filters: 4, kernel: 3, padding: 1, activation: 'relu' }),
      new ChannelGain({ name: 'gain1' }),
      new MaxPool2d({ name: 'pool1', kernel: 2 }),
      new Flatten({ name: 'flat' }),
      new Dense({ name: 'fc', units: numClasses }),
    ]),
});
