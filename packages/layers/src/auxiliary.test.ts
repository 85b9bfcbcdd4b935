import { initBackend } from '@convkit/backend';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuxiliaryHead, applyWithAuxiliary } from './auxiliary.js';
import { Conv2d } from './conv.js';
import { Dense, Flatten } from './dense.js';
import { AvgPool2d } from './pool.js';
import { fromJSON } from './registry.js';
import { sequential } from './sequential.js';
import { summary } from './summary.js';
import { runLayerTest } from './testing/index.js';

beforeAll(async () => {
  await initBackend('cpu');
});

const head = () =>
  sequential([
    new AvgPool2d({ kernel: 2 }),
    new Conv2d({ filters: 2, kernel: 1 }),
    new Flatten(),
    new Dense({ units: 3 }),
  ]);
const model = () =>
  sequential([
    new Conv2d({ filters: 4, kernel: 3, padding: 1 }),
    new AuxiliaryHead(head()),
    new Conv2d({ filters: 2, kernel: 1 }),
    new Flatten(),
    new Dense({ units: 5 }),
  ]);

describe('auxiliary heads', () => {
  it('count in the summary without changing the main path', () => {
    const s = summary(model(), { input: [6, 6, 3] });
    expect(s.output).toEqual([5]);
    const headParams = 4 * 2 + 2 + 18 * 3 + 3;
    const mainParams = 27 * 4 + 4 + 4 * 2 + 2 + 72 * 5 + 5;
    expect(s.totals.params).toBe(mainParams + headParams);
    expect(s.text).toContain('auxiliaryHead1');
  });

  it('run with applyWithAuxiliary, and a plain apply skips them', async () => {
    const m = model().build([6, 6, 3], { seed: 1 });
    const x = tf.randomNormal([2, 6, 6, 3], 0, 1, 'float32', 2);
    const before = tf.memory().numTensors;
    const { output, auxiliary } = applyWithAuxiliary(m, x);
    expect(output.shape).toEqual([2, 5]);
    expect(auxiliary.map((a) => a.shape)).toEqual([[2, 3]]);
    const plain = m.apply(x);
    expect(Array.from(await plain.data())).toEqual(Array.from(await output.data()));
    tf.dispose([output, ...auxiliary, plain]);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    m.dispose();
  });

  it('serialize and pass runLayerTest', async () => {
    const json = model().toJSON();
    expect(JSON.stringify(fromJSON(json).toJSON())).toBe(JSON.stringify(json));
    await runLayerTest(model, { input: [6, 6, 3] });
  });
});
