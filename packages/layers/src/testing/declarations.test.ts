import { initBackend } from '@convkit/backend';
import type { LayerSpec, Shape } from '@convkit/shape';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Activation } from '../activation.js';
import { type BaseConfig, Layer, type WeightSpec } from '../layer.js';
import { registerLayer } from '../registry.js';
import { runLayerTest } from './index.js';

// runLayerTest must hold a layer to what it declares (parameters, output shape for more than one input
// size) and must not call an ordinary layer's gradient dead because one probe input hit a dead ReLU.

/** Declares no parameters (an activation's spec) but owns a 3-element scale. */
class HiddenScale extends Activation {
  override weightSpecs(input: Shape): WeightSpec[] {
    return [{ name: 'scale', shape: [input[input.length - 1] as number], trainable: true, init: 'ones' }];
  }
  protected override call(x: tf.Tensor): tf.Tensor {
    return tf.mul(x, this.weight('scale'));
  }
}

/** Keeps its shape, as declared, only while the input has at most 4 rows: it crops to the first 4. */
class CropsRows extends Activation {
  protected override call(x: tf.Tensor): tf.Tensor {
    return tf.slice(x, [0, 0, 0, 0], [-1, Math.min(4, x.shape[1] as number), -1, -1]);
  }
}

interface SqueezeExciteConfig extends BaseConfig {
  ratio: number;
  /** Multiplies the excitation bias by 0: a weight no input can reach. */
  deadBias?: boolean;
}

declare module '../registry.js' {
  interface LayerConfigs {
    squeezeExciteTest: SqueezeExciteConfig;
  }
}

/** Squeeze-and-Excitation (Hu et al.): global average pool → dense c→c/r relu → dense c/r→c sigmoid → scale x. */
class SqueezeExcite extends Layer<SqueezeExciteConfig> {
  readonly type = 'squeezeExciteTest';

  specs(input: Shape): LayerSpec[] {
    const c = input[2] as number;
    const gate: LayerSpec[] = [{ type: 'globalPool' }, { type: 'dense', units: c / this.config.ratio }];
    return [
      { type: 'tap', name: this.name, layers: [...gate, { type: 'dense', units: c }] },
      { type: 'activation', name: `${this.name}/scale`, fn: 'multiply' },
    ];
  }

  override weightSpecs(input: Shape): WeightSpec[] {
    const c = input[2] as number;
    const r = c / this.config.ratio;
    return [
      { name: 'squeeze', shape: [c, r], trainable: true, init: 'glorotUniform' },
      { name: 'squeezeBias', shape: [r], trainable: true, init: 'zeros' },
      { name: 'excite', shape: [r, c], trainable: true, init: 'glorotUniform' },
      { name: 'exciteBias', shape: [c], trainable: true, init: 'zeros' },
    ];
  }

  protected call(x: tf.Tensor): tf.Tensor {
    const c = x.shape[3] as number;
    const pooled = tf.mean(x, [1, 2]);
    const hidden = tf.relu(
      tf.add(tf.matMul(pooled as tf.Tensor2D, this.weight('squeeze') as tf.Tensor2D), this.weight('squeezeBias')),
    );
    const bias = this.config.deadBias ? tf.mul(this.weight('exciteBias'), 0) : this.weight('exciteBias');
    const gate = tf.sigmoid(tf.add(tf.matMul(hidden as tf.Tensor2D, this.weight('excite') as tf.Tensor2D), bias));
    return tf.mul(x, tf.reshape(gate, [-1, 1, 1, c]));
  }
}

registerLayer('squeezeExciteTest', (config) => new SqueezeExcite(config), {
  keys: { name: true, ratio: true, deadBias: true },
});

describe('runLayerTest checks declarations against the built layer', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('fails a layer that declares 0 parameters but owns 3, naming the weight and both counts', async () => {
    await expect(
      runLayerTest(() => new HiddenScale({ name: 'liar', fn: 'linear' }), { input: [4, 4, 3] }),
    ).rejects.toThrow(
      'runLayerTest(liar): parameters: declared 0 trainable, the built weights hold 3 (liar/scale [3]: 3)',
    );
  });

  it('fails a layer whose declared output shape is wrong for a second input size', async () => {
    const make = () => new CropsRows({ name: 'crop', fn: 'linear' });
    // Right at 4×4 (nothing to crop), so only the second size shows the lie: by default, doubled.
    await expect(runLayerTest(make, { input: [4, 4, 3] })).rejects.toThrow(
      'runLayerTest(crop): output shape: for input [8, 8, 3] declared [8, 8, 3], computed [4, 8, 3]',
    );
    await expect(runLayerTest(make, { input: [4, 4, 3], extraInputs: [[5, 3, 3]] })).rejects.toThrow(
      'runLayerTest(crop): output shape: for input [5, 3, 3] declared [5, 3, 3], computed [4, 3, 3]',
    );
  });

  it('reports every input size whose output shape it checked', async () => {
    const report = await runLayerTest(() => new Activation({ fn: 'relu' }), {
      input: [4, 4, 3],
      extraInputs: [[7, 5, 3]],
    });
    expect(report.checkedInputs).toEqual([
      [4, 4, 3],
      [7, 5, 3],
    ]);
  });
});

describe('runLayerTest: gradients reach every weight for some input', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  // With 2 hidden ReLUs over channel averages near 0, the first probe input leaves both ReLUs dead at
  // seeds 32, 34, 42 and 56 (the old harness called that "gradient is all zeros"); other inputs revive them.
  it.each([1, 32, 34, 42, 56])('passes Squeeze-and-Excitation, ratio 4 on 8 channels, seed %i', async (seed) => {
    const report = await runLayerTest(() => new SqueezeExcite({ name: 'se', ratio: 4 }), {
      input: [4, 4, 8],
      seed,
    });
    expect(report.weights).toEqual(['se/squeeze', 'se/squeezeBias', 'se/excite', 'se/exciteBias']);
    expect(report.checkedGradients).toBeGreaterThan(0);
  });

  it('still fails a weight that no input reaches', async () => {
    await expect(
      runLayerTest(() => new SqueezeExcite({ name: 'dead', ratio: 4, deadBias: true }), { input: [4, 4, 8] }),
    ).rejects.toThrow(
      /^runLayerTest\(dead\): gradients: dead\/exciteBias's gradient is all zeros for all \d+ inputs tried/,
    );
  });
});
