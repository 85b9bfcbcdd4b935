// Measures each knob of AlexNet's training recipe (recipes.alexnet2012 of
// @convkit/train) on small MNIST and Fashion-MNIST subsets: the recipe as a
// baseline, then one knob turned off or changed at a time, same seed, same
// data. Writes src/recipe-effects.json, which the "Training recipes" lesson
// renders. Uses the built packages (dist): run `pnpm --filter @convkit/train
// build` and friends first. Usage:
//   node scripts/recipe-effects.mjs [--backend native] [--train 4000] [--test 1000] [--epochs 4]
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { initBackend } from '@convkit/backend';
import { loadFashionMnist, loadMnist } from '@convkit/data';
import { Conv2d, Dense, Dropout, Flatten, MaxPool2d, sequential } from '@convkit/layers';
import { fit, recipes } from '@convkit/train';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'native' },
    train: { type: 'string', default: '4000' },
    test: { type: 'string', default: '1000' },
    epochs: { type: 'string', default: '4' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string', default: new URL('../src/recipe-effects.json', import.meta.url).pathname },
  },
});
const SEED = Number(values.seed);
const EPOCHS = Number(values.epochs);
const recipe = recipes.alexnet2012;

/** The recipe scaled to 28×28 digits: crops of 28 from the image padded by 2 (AlexNet: 224 of 256, 12.5 % slack). */
const baseline = {
  batchSize: recipe.batchSize,
  lr: recipe.lr,
  momentum: recipe.optimizer.momentum,
  weightDecay: recipe.optimizer.weightDecay,
  // Patience 1 instead of 5: a run of a few epochs would never reach 5 epochs without progress.
  schedule: { ...recipe.schedule, patience: 1 },
  dropout: recipe.dropout,
  flip: recipe.augment.flip,
  crop: true,
};

/** Each knob: the recipe field it comes from and the value tried instead. */
export const KNOBS = [
  { knob: 'recipe', field: '', change: {} },
  { knob: 'momentum', field: 'optimizer.momentum', change: { momentum: 0 } },
  { knob: 'weight decay', field: 'optimizer.weightDecay', change: { weightDecay: 0 } },
  { knob: 'learning rate', field: 'lr', change: { lr: 0.1 } },
  { knob: '÷10 on plateau', field: 'schedule', change: { schedule: { type: 'constant' } } },
  { knob: 'batch size', field: 'batchSize', change: { batchSize: 32 } },
  { knob: 'dropout', field: 'dropout', change: { dropout: 0 } },
  { knob: 'flips', field: 'augment.flip', change: { flip: false } },
  { knob: 'crops', field: 'augment.randomCrop', change: { crop: false } },
];

/** LeNet-5 (ReLU, max pooling) with the recipe's dropout before the last layer, as AlexNet has it before its FC layers. */
function model(dropout) {
  return sequential([
    new Conv2d({ name: 'conv1', filters: 6, kernel: 5, padding: 'same', activation: 'relu' }),
    new MaxPool2d({ name: 'pool1', kernel: 2 }),
    new Conv2d({ name: 'conv2', filters: 16, kernel: 5, activation: 'relu' }),
    new MaxPool2d({ name: 'pool2', kernel: 2 }),
    new Flatten(),
    new Dense({ name: 'fc1', units: 120, activation: 'relu' }),
    new Dropout({ name: 'drop', rate: dropout }),
    new Dense({ name: 'fc2', units: 10 }),
  ]);
}

function head(d, n) {
  const size = d.height * d.width * d.channels;
  return { ...d, count: n, images: d.images.subarray(0, n * size), labels: d.labels.subarray(0, n) };
}

async function run(data, s) {
  const augment = {
    ...(s.flip ? { flip: true } : {}),
    ...(s.crop ? { randomCrop: { size: [28, 28], padding: 2 } } : {}),
  };
  const started = performance.now();
  const result = await fit(model(s.dropout), {
    train: data.train,
    validation: data.test,
    epochs: EPOCHS,
    batchSize: s.batchSize,
    lr: s.lr,
    seed: SEED,
    optimizer: { type: 'sgd', momentum: s.momentum, weightDecay: s.weightDecay },
    schedule: s.schedule,
    ...(Object.keys(augment).length ? { augment } : {}),
  });
  const last = result.history.at(-1);
  return {
    validationTop1Error: last.validationTop1Error,
    trainLoss: last.trainLoss,
    finalLr: last.lr,
    seconds: (performance.now() - started) / 1000,
  };
}

const info = await initBackend(values.backend);
const sets = {
  mnist: { train: loadMnist({ split: 'train' }), test: loadMnist({ split: 'test' }) },
  'fashion-mnist': { train: loadFashionMnist({ split: 'train' }), test: loadFashionMnist({ split: 'test' }) },
};
const rows = [];
for (const [dataset, full] of Object.entries(sets)) {
  const data = { train: head(full.train, Number(values.train)), test: head(full.test, Number(values.test)) };
  for (const { knob, field, change } of KNOBS) {
    const r = await run(data, { ...baseline, ...change });
    rows.push({ dataset, knob, field, change, ...r });
    process.stdout.write(
      `${dataset} ${knob}: ${(100 * r.validationTop1Error).toFixed(1)} % in ${r.seconds.toFixed(1)} s\n`,
    );
  }
}
const out = {
  command: `node scripts/recipe-effects.mjs --backend ${values.backend} --train ${values.train} --test ${values.test} --epochs ${EPOCHS} --seed ${SEED}`,
  date: new Date().toISOString().slice(0, 10),
  backend: info.name ?? values.backend,
  node: process.version,
  seed: SEED,
  epochs: EPOCHS,
  train: Number(values.train),
  test: Number(values.test),
  recipe: recipe.name,
  baseline,
  rows,
};
writeFileSync(values.out, `${JSON.stringify(out, null, 2)}\n`);
