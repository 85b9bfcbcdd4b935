import { initBackend } from '@convkit/backend';
import type { LayerSpec, Shape } from '@convkit/shape';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Conv2d } from '../conv.js';
import { customGrad1 } from '../custom-grad.js';
import { Dense } from '../dense.js';
import { runLayerTest } from './index.js';

// The harness must fail a broken layer, naming the check: a harness that passes everything checks nothing.

/** Doubles its input in the forward pass but claims the gradient of the identity: weights before it get half their gradient. */
const doubledWithWrongGradient = customGrad1((x) => ({ value: tf.mul(x, 2), gradFunc: (dy) => dy }));

class WrongGradient extends Dense {
  protected override call(x: tf.Tensor): tf.Tensor {
    return doubledWithWrongGradient(super.call(x));
  }
}

class WrongShape extends Dense {
  protected override call(x: tf.Tensor): tf.Tensor {
    const y = super.call(x);
    return tf.concat([y, y], 1);
  }
}

/** A dense layer that declares `extra` more MACs than its matrix product makes. */
class Overstated extends Dense {
  extra = 5;
  override specs(input: Shape): LayerSpec[] {
    return (super.specs(input) as Extract<LayerSpec, { type: 'dense' }>[]).map((spec) => ({
      type: 'custom',
      kind: 'dense',
      output: [spec.units],
      params: { trainable: (input[0] as number) * spec.units + spec.units },
      macs: (input[0] as number) * spec.units + this.extra,
    }));
  }
}

describe('runLayerTest', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('passes a correct layer and reports what it checked', async () => {
    const report = await runLayerTest(() => new Dense({ name: 'fc', units: 3 }), { input: [4] });
    // Four sampled elements of the 4×3 kernel, all three of the bias.
    expect(report).toEqual({
      outputShape: [3],
      weights: ['fc/kernel', 'fc/bias'],
      checkedGradients: 7,
      checkedInputs: [[4]],
      macs: { declared: 12, measured: 12 },
    });
  });

  it('fails a layer whose output differs from its declared shape', async () => {
    await expect(runLayerTest(() => new WrongShape({ name: 'wide', units: 3 }), { input: [4] })).rejects.toThrow(
      'runLayerTest(wide): output shape: declared [3], computed [6]',
    );
  });

  it('fails a layer whose gradient disagrees with finite differences', async () => {
    await expect(runLayerTest(() => new WrongGradient({ name: 'liar', units: 3 }), { input: [4] })).rejects.toThrow(
      /^runLayerTest\(liar\): finite differences: liar\/kernel\[\d+\]: gradient -?[\d.]+, finite difference/,
    );
  });

  it("passes a Conv2d and a Dense with macs: 'exact', at every input checked", async () => {
    const conv = await runLayerTest(() => new Conv2d({ filters: 4, kernel: 3, padding: 1, groups: 2 }), {
      input: [5, 5, 4],
      macs: 'exact',
    });
    // 5·5 outputs × 4 filters × 3·3·2: convMacs' formula, and what the two grouped Conv2D kernels multiply.
    expect(conv.macs).toEqual({ declared: 1800, measured: 1800 });
    expect(conv.checkedInputs).toEqual([
      [5, 5, 4],
      [10, 10, 4],
    ]);
    const dense = await runLayerTest(() => new Dense({ units: 3 }), { input: [4], macs: 'exact' });
    expect(dense.macs).toEqual({ declared: 12, measured: 12 });
  });

  it('fails a layer that declares more MACs than its ops make, by default, naming both counts and the kernels', async () => {
    await expect(runLayerTest(() => new Overstated({ name: 'big', units: 3 }), { input: [4] })).rejects.toThrow(
      'runLayerTest(big): MACs: declared 17, more than the 12 the ops multiply per image at input [4] (BatchMatMul [1, 4]·[4, 3] → [1, 3]: 12)',
    );
    const skipped = await runLayerTest(() => new Overstated({ name: 'big', units: 3 }), { input: [4], macs: 'skip' });
    expect(skipped.macs).toBeUndefined();
  });

  it("with macs: 'exact', fails a layer that declares fewer MACs than its ops make", async () => {
    const under = () => Object.assign(new Overstated({ name: 'small', units: 3 }), { extra: -2 });
    await expect(runLayerTest(under, { input: [4] })).resolves.toMatchObject({ macs: { declared: 10, measured: 12 } });
    await expect(runLayerTest(under, { input: [4], macs: 'exact' })).rejects.toThrow(
      'runLayerTest(small): MACs: declared 10 as exact, the ops multiply 12 per image at input [4] (BatchMatMul [1, 4]·[4, 3] → [1, 3]: 12)',
    );
  });
});
