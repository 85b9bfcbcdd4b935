// The degradation experiment of He et al. 2016 (Fig. 1 and Fig. 6), in
// short runs: the zoo's CIFAR networks (plain20/plain56 without shortcuts,
// resnet20/resnet56 with option A shortcuts, same layers otherwise) trained
// from the same seed on the same Fashion-MNIST subset, recording the
// training and validation error of every epoch. Writes
// src/degradation.json, which the ResNet page renders; the file is
// rewritten after each model, so an interrupted run keeps what finished
// (`complete: false`). Uses the built packages (dist): run `pnpm --filter
// @convkit/zoo build` and friends first. Usage:
//   node scripts/degradation.mjs [--backend native] [--models plain20,resnet20] [--train 10000] [--test 2000] [--epochs 4]
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { initBackend } from '@convkit/backend';
import { loadFashionMnist } from '@convkit/data';
import { summary } from '@convkit/layers';
import { fit } from '@convkit/train';
import { getModel } from '@convkit/zoo';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'native' },
    models: { type: 'string', default: 'plain20,resnet20,plain56,resnet56' },
    train: { type: 'string', default: '10000' },
    test: { type: 'string', default: '2000' },
    epochs: { type: 'string', default: '4' },
    batch: { type: 'string', default: '128' },
    lr: { type: 'string', default: '0.1' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string', default: new URL('../src/degradation.json', import.meta.url).pathname },
  },
});
const models = values.models.split(',');
const [EPOCHS, TRAIN, TEST, BATCH, LR, SEED] = ['epochs', 'train', 'test', 'batch', 'lr', 'seed'].map((k) =>
  Number(values[k]),
);
const INPUT = [28, 28, 1];

/** The paper's CIFAR optimizer (§4.2): SGD, momentum 0.9, weight decay 1e-4, rate 0.1, batch 128; a run this short never reaches its ÷10 steps. */
const optimizer = { type: 'sgd', momentum: 0.9, weightDecay: 1e-4 };

function head(d, n) {
  if (n > d.count) throw new RangeError(`--train/--test ${n}: the split has only ${d.count} images`);
  const size = d.height * d.width * d.channels;
  return { ...d, count: n, images: d.images.subarray(0, n * size), labels: d.labels.subarray(0, n) };
}

const round = (x, digits = 4) => Math.round(x * 10 ** digits) / 10 ** digits;

async function train(name, data) {
  const model = getModel(name, { input: INPUT, numClasses: 10 });
  // Every weight: the trainable parameters and batch norm's running statistics (the page states trainable counts itself).
  const params = summary(model, { input: INPUT }).totals.params;
  const started = performance.now();
  const result = await fit(model, {
    train: data.train,
    validation: data.test,
    epochs: EPOCHS,
    batchSize: BATCH,
    lr: LR,
    seed: SEED,
    optimizer,
    onEvent: (e) => {
      if (e.type !== 'epochEnd') return;
      const r = e.record;
      process.stdout.write(
        `${name} epoch ${r.epoch + 1}: train ${(100 * r.trainTop1Error).toFixed(1)} %, validation ${(100 * r.validationTop1Error).toFixed(1)} % (${r.seconds.toFixed(0)} s, load ${os.loadavg()[0].toFixed(1)})\n`,
      );
    },
  });
  return {
    model: name,
    params,
    seconds: round((performance.now() - started) / 1000, 1),
    epochs: result.history.map((r) => ({
      epoch: r.epoch + 1,
      trainError: round(r.trainTop1Error),
      validationError: round(r.validationTop1Error),
      trainLoss: round(r.trainLoss),
      validationLoss: round(r.validationLoss),
      seconds: round(r.seconds, 1),
    })),
  };
}

const info = await initBackend(values.backend);
const data = {
  train: head(loadFashionMnist({ split: 'train' }), TRAIN),
  test: head(loadFashionMnist({ split: 'test' }), TEST),
};
const out = {
  command: `node scripts/degradation.mjs --backend ${values.backend} --models ${values.models} --train ${TRAIN} --test ${TEST} --epochs ${EPOCHS} --batch ${BATCH} --lr ${LR} --seed ${SEED}`,
  date: new Date().toISOString(),
  backend: info.name ?? values.backend,
  node: process.version,
  cpus: os.cpus().length,
  loadAverage: { start: os.loadavg().map((x) => round(x, 2)) },
  dataset: 'fashion-mnist',
  train: TRAIN,
  test: TEST,
  epochs: EPOCHS,
  batchSize: BATCH,
  lr: LR,
  optimizer,
  seed: SEED,
  complete: false,
  runs: [],
};
for (const name of models) {
  out.runs.push(await train(name, data));
  out.loadAverage.end = os.loadavg().map((x) => round(x, 2));
  out.complete = out.runs.length === models.length;
  writeFileSync(values.out, `${JSON.stringify(out, null, 2)}\n`);
}
