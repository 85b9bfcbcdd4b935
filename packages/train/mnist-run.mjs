import { initBackend } from '@convkit/backend';
import { loadMnist, trainValidationSplit } from '@convkit/data';
import { evaluate, fit } from '@convkit/train/node';
import { getModel } from '@convkit/zoo';

const [modelName, epochs, lr] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const info = await initBackend('auto');
console.log(info.name ?? info);
const { train, validation } = trainValidationSplit(loadMnist({ split: 'train' }), 1 / 12, 1);
const test = loadMnist({ split: 'test' });
const model = getModel(modelName, { input: [28, 28, 1], numClasses: 10 });
const t0 = performance.now();
await fit(model, {
  train,
  validation,
  epochs,
  batchSize: 64,
  lr,
  schedule: { type: 'cosine', epochs },
  optimizer: { type: 'sgd', momentum: 0.9, weightDecay: 0.0005 },
  onEvent: async (e) => {
    if (e.type === 'epochEnd') {
      const m = await evaluate(model, test);
      console.log(JSON.stringify({ ...e.record, testError: m.top1Error, wall: (performance.now() - t0) / 1000 }));
    }
  },
});
