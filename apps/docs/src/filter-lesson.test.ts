import { initBackend } from '@convkit/backend';
import { loadMnist } from '@convkit/data';
import { getModel } from '@convkit/zoo';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { digitImage, lessonPictures } from './filter-lesson.js';

const full = loadMnist({ split: 'test' });
const test = { ...full, count: 64, images: full.images.subarray(0, 64 * 784), labels: full.labels.subarray(0, 64) };
const model = getModel('lenet5-modern');

beforeAll(async () => {
  await initBackend('cpu');
  model.build([28, 28, 1], { seed: 3 });
});

describe('the filters lesson', () => {
  it('draws a digit pixel for pixel from its bytes', () => {
    const image = digitImage(test, 2);
    for (const p of [0, 300, 400, 783]) {
      const v = test.images[2 * 784 + p];
      expect([...image.data.subarray(4 * p, 4 * p + 4)]).toEqual([v, v, v, 255]);
    }
  });

  it('computes every picture with no tensor left behind, readable sizes and honest captions', async () => {
    const before = tf.memory().numTensors;
    const pictures = await lessonPictures(model, test, { limit: 64, units: 2, occluded: 2 });
    expect(tf.memory().numTensors).toBe(before);
    // Six 5×5 filters in a row at 8 px a weight.
    expect(pictures.filters.width).toBeGreaterThanOrEqual(200);
    expect(pictures.filterRange[0]).toBeCloseTo(-pictures.filterRange[1]);
    expect(pictures.zf.map((z) => z.layer)).toEqual(['conv1', 'conv2']);
    expect(pictures.zf[0]?.caption).toMatch(/5×5 px patch/);
    expect(pictures.zf[1]?.caption).toMatch(/14×14 px patch/);
    expect(pictures.zf[1]?.caption).toMatch(/64/);
    expect(pictures.maps.label).toBe(test.labels[0]);
    expect(pictures.occlusion.map((o) => o.label)).toEqual([...test.labels.subarray(0, 2)]);
  });

  it("occlusion's baseline is the model's softmax for the true class, and no occluded score lies above 1", async () => {
    const pictures = await lessonPictures(model, test, { limit: 16, units: 1, occluded: 3 });
    const logits = tf.tidy(() =>
      tf.softmax(
        model.apply(
          tf.div(tf.tensor4d(test.images.subarray(0, 3 * 784), [3, 28, 28, 1], 'float32'), 255),
        ) as tf.Tensor2D,
      ),
    );
    const p = await logits.data();
    logits.dispose();
    pictures.occlusion.forEach((o, i) => {
      expect(o.baseline).toBeCloseTo(p[i * 10 + o.label] ?? Number.NaN, 5);
      expect(o.lowest).toBeLessThanOrEqual(1);
      expect(o.digit.width).toBe(112);
      expect(o.map.width).toBeGreaterThanOrEqual(100);
    });
  });
});
