import { describe, expect, it } from 'vitest';
import { python, runPython } from '../../test/python.js';
import { TrainingError } from '../errors.js';
import { recipes } from '../recipes.js';
import { type PytorchRunConfig, pytorchTrainPy } from './train-py.js';

/** A run configuration as `convkit train` composes it from a recipe. */
function configOf(name: string): PytorchRunConfig {
  const r = recipes[name] as (typeof recipes)[string];
  return {
    model: 'some-model',
    data: 'mnist',
    recipe: r.name,
    epochs: r.epochs,
    batchSize: r.batchSize,
    lr: r.lr,
    optimizer: r.optimizer,
    schedule: r.schedule,
    normalize: 'unit',
    validationFraction: 1 / 12,
    seed: 0,
    ...(r.augment ? { augment: r.augment } : {}),
    ...(r.auxiliaryWeight !== undefined ? { auxiliaryWeight: r.auxiliaryWeight } : {}),
    ...(r.labelSmoothing !== undefined ? { labelSmoothing: r.labelSmoothing } : {}),
  };
}

describe('pytorchTrainPy', () => {
  it('refuses a schedule or batch convkit would refuse, naming the value', () => {
    const config = configOf('lenet5');
    expect(() =>
      pytorchTrainPy({
        config: { ...config, schedule: { type: 'step', stepSize: 0 } },
        input: [28, 28, 1],
        classes: 10,
      }),
    ).toThrow(TrainingError);
    expect(() => pytorchTrainPy({ config: { ...config, batchSize: 0 }, input: [28, 28, 1], classes: 10 })).toThrow(
      /batchSize must be a positive integer, received 0/,
    );
  });

  it.skipIf(!python)('writes Python that compiles and carries the configuration exactly, for every recipe', () => {
    for (const name of Object.keys(recipes)) {
      const config = { ...configOf(name), notes: 'quotes " \\ """ and ünïcode' } as PytorchRunConfig;
      const source = pytorchTrainPy({ config, input: [28, 28, 1], classes: 10, dataDirs: { mnist: '/data/mnist' } });
      // Compile the whole file, then run only its CONFIG/EXPORT lines (the rest imports torch and model.py).
      const header = source.slice(source.indexOf('CONFIG = '), source.indexOf('# ---- convkit'));
      const got = runPython(
        `import ast, json\nast.parse(${JSON.stringify(source)})\n${header}\nprint(json.dumps([CONFIG, EXPORT]))`,
      );
      expect(got, name).toEqual([config, { input: [28, 28, 1], classes: 10, dataDirs: { mnist: '/data/mnist' } }]);
    }
  });
});
