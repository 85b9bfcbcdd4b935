import { mulberry32, shuffledIndices, trainValidationSplit } from '@convkit/data';
import { describe, expect, it } from 'vitest';
import { python, runPython } from '../../test/python.js';
import { mixSeed } from '../seeds.js';
import { SEEDS_PY } from './seeds-py.js';

// The Python port against convkit's TypeScript: the same seeds must give the same order of examples.
describe.skipIf(!python)('train.py seeded streams', () => {
  it('mulberry32, mixSeed and shuffledIndices equal convkit for several seeds and sizes', () => {
    const cases = [
      [10, 0],
      [1000, 1],
      [55000, mixSeed(0, 0)],
      [7, 0xffffffff],
    ] as const;
    const out = runPython(`import json, math\n${SEEDS_PY}
r = mulberry32(42)
print(json.dumps({
  'random': [r() for _ in range(5)],
  'mix': [mix_seed(s, c, k) for s, c, k in [(0, 0, 0), (0, 1, 0), (7, 3, 1), (4294967295, 123456, 2)]],
  'shuffles': [shuffled_indices(n, s) for n, s in ${JSON.stringify(cases)}],
  'split': train_validation_split(100, 1 / 12, 3),
}))`) as { random: number[]; mix: number[]; shuffles: number[][]; split: number[][] };
    const random = mulberry32(42);
    expect(out.random).toEqual(Array.from({ length: 5 }, () => random()));
    expect(out.mix).toEqual([mixSeed(0, 0), mixSeed(0, 1), mixSeed(7, 3, 1), mixSeed(4294967295, 123456, 2)]);
    for (const [i, [n, seed]] of cases.entries()) expect(out.shuffles[i]).toEqual(Array.from(shuffledIndices(n, seed)));
    // The split as indices: convkit's subset of a dataset whose label k is example k.
    const labels = Uint8Array.from({ length: 100 }, (_, k) => k);
    const dataset = { images: new Uint8Array(100), labels, count: 100, height: 1, width: 1, channels: 1, classes: 100 };
    const { train, validation } = trainValidationSplit(dataset, 1 / 12, 3);
    expect(out.split).toEqual([Array.from(train.labels), Array.from(validation.labels)]);
  });
});
