import { initBackend } from '@convkit/backend';
import { type AugmentOptions, type Batch, batches, mulberry32 } from '@convkit/data';
import { beforeAll, describe, expect, it } from 'vitest';
import { hasTorch, runPython } from '../../test/python.js';
import { AUGMENT_PY } from './augment-py.js';
import { SEEDS_PY } from './seeds-py.js';

beforeAll(async () => {
  await initBackend('cpu');
});

// Eight 6×5 RGB images of seeded bytes, labels 0–7.
const [count, height, width, channels] = [8, 6, 5, 3];
const random = mulberry32(3);
const images = Uint8Array.from({ length: count * height * width * channels }, () => Math.floor(random() * 256));
const labels = Uint8Array.from({ length: count }, (_, i) => i);
const dataset = { images, labels, count, height, width, channels, classes: count };

const CASES: [string, AugmentOptions][] = [
  ['random crop with padding and flips', { randomCrop: { size: [4, 4], padding: 2 }, flip: true }],
  ['centre crop', { centerCrop: [3, 4] }],
  [
    'colour noise',
    {
      flip: true,
      colorNoise: {
        std: 0.1,
        basis: {
          eigenvalues: [0.2, 0.02, 0.005],
          eigenvectors: [
            [-0.57, -0.58, -0.58],
            [0.72, 0, -0.69],
            [0.4, -0.81, 0.42],
          ],
        },
      },
    },
  ],
];

describe.skipIf(!hasTorch)("train.py's augmentation", () => {
  it.each(CASES)('%s: the same pixels as convkit’s batches for the same seed', async (_, augment) => {
    const seed = 12345;
    const { x, y } = batches(dataset, { batchSize: count, shuffle: false, seed, augment }).next().value as Batch;
    const expected = Array.from(await x.data());
    x.dispose();
    y.dispose();
    const got = runPython(`import json, math, numpy as np, torch
import torch.nn.functional as F
${SEEDS_PY}
${AUGMENT_PY}
data = {'images': np.array(${JSON.stringify(Array.from(images))}, dtype=np.uint8).reshape(${count}, ${height}, ${width}, ${channels}),
        'labels': np.arange(${count}, dtype=np.uint8)}
x, y = make_batch(data, list(range(${count})), json.loads(${JSON.stringify(JSON.stringify(augment))}), ${seed}, 'unit')
print(json.dumps(x.permute(0, 2, 3, 1).reshape(-1).tolist()))`) as number[];
    expect(got.length).toBe(expected.length);
    for (const [k, v] of expected.entries()) expect(got[k], `value ${k}`).toBeCloseTo(v, 5);
  });
});
