import { initBackend } from '@convkit/backend';
import { mulberry32 } from '@convkit/data';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { hasTorch, runPython } from '../../test/python.js';
import { createOptimizer, type OptimizerConfig } from '../optimizers.js';
import { OPTIM_PY } from './optim-py.js';

beforeAll(async () => {
  await initBackend('cpu');
});

// A toy model in convkit's names and layouts (HWIO conv kernel, [in, out] dense kernel) and its PyTorch twin.
const SHAPES: Record<string, number[]> = {
  'conv/kernel': [2, 2, 2, 3],
  'conv/bias': [3],
  'fc/kernel': [3, 2],
  'fc/bias': [2],
};
const TOY_PY = String.raw`
class Toy(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(2, 3, 2)
        self.fc = torch.nn.Linear(3, 2)


class convkit_model:
    @staticmethod
    def convkit_weights(m):
        return {'conv/kernel': m.conv.weight.permute(2, 3, 1, 0), 'conv/bias': m.conv.bias,
                'fc/kernel': m.fc.weight.t(), 'fc/bias': m.fc.bias}

    @staticmethod
    def load_convkit_weights(m, t):
        with torch.no_grad():
            m.conv.weight.copy_(t['conv/kernel'].permute(3, 2, 0, 1))
            m.conv.bias.copy_(t['conv/bias'])
            m.fc.weight.copy_(t['fc/kernel'].t())
            m.fc.bias.copy_(t['fc/bias'])


def tensors(d):
    return {k: torch.tensor(v['data'], dtype=torch.float32).reshape(v['shape']) for k, v in d.items()}


def flat(d):
    return {k: v.detach().reshape(-1).tolist() for k, v in d.items()}


def fresh(weights, config):
    m = Toy()
    convkit_model.load_convkit_weights(m, weights)
    names = parameter_names(m)
    return m, names, make_optimizer(m, names, config, 0.1)


def step(m, names, opt, grads, lr):
    probe = {n: torch.zeros(SHAPES[n]) for n in SHAPES}
    for (name, _), p in zip(names, trainable(m)):
        # A gradient in convkit's layout goes through the model's own converter.
        current = {n: t.detach().clone() for n, t in convkit_model.convkit_weights(m).items()}
        convkit_model.load_convkit_weights(m, dict(current, **{name: grads[name]}))
        g = p.detach().clone()
        convkit_model.load_convkit_weights(m, current)
        p.grad = g
    for group in opt.param_groups:
        group['lr'] = lr
    opt.step()
`;

const random = mulberry32(7);
const values = (shape: number[]) =>
  Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => Math.round((random() * 2 - 1) * 1000) / 1000);
const initial = Object.fromEntries(Object.entries(SHAPES).map(([n, s]) => [n, { data: values(s), shape: s }]));
const gradients = [0, 1, 2, 3].map(() =>
  Object.fromEntries(Object.entries(SHAPES).map(([n, s]) => [n, { data: values(s), shape: s }])),
);
const lrs = [0.1, 0.05, 0.02, 0.01];

type Named = Record<string, number[]>;

/** convkit: three steps, the weights and slots then, and the weights after a fourth step. */
async function convkit(config: OptimizerConfig) {
  const weights: [string, tf.Variable][] = Object.entries(initial).map(([n, { data, shape }]) => [
    n,
    tf.variable(tf.tensor(data, shape)),
  ]);
  const optimizer = createOptimizer(config);
  const read = async (pairs: readonly (readonly [string, tf.Tensor])[]) =>
    Object.fromEntries(await Promise.all(pairs.map(async ([n, t]) => [n, Array.from(await t.data())]))) as Named;
  let afterThree: Named = {};
  let slots: Named = {};
  for (const [i, g] of gradients.entries()) {
    const map = new Map(Object.entries(g).map(([n, { data, shape }]) => [n, tf.tensor(data, shape)]));
    optimizer.step(weights, map, lrs[i] as number);
    tf.dispose([...map.values()]);
    if (i === 2) {
      afterThree = await read(weights);
      const state = await optimizer.state();
      slots = Object.fromEntries(Object.entries(state.slots).map(([n, s]) => [n, Array.from(s.data)]));
    }
  }
  const afterFour = await read(weights);
  optimizer.dispose();
  tf.dispose(weights.map(([, v]) => v));
  return { afterThree, slots, afterFour };
}

function expectClose(got: Named, expected: Named, what: string) {
  expect(Object.keys(got).sort(), what).toEqual(Object.keys(expected).sort());
  for (const [name, values] of Object.entries(expected))
    for (const [k, v] of values.entries()) expect(got[name]?.[k], `${what} ${name}[${k}]`).toBeCloseTo(v, 5);
}

const CONFIGS: OptimizerConfig[] = [
  { type: 'sgd', momentum: 0.9, weightDecay: 0.0005 },
  { type: 'sgd', momentum: 0.9, nesterov: true, weightDecay: 0.01, decayBias: true },
  { type: 'sgd', weightDecay: 0.01 },
  { type: 'adam', weightDecay: 0.001 },
  { type: 'adam', beta1: 0.8, beta2: 0.99, epsilon: 1e-6 },
];

describe.skipIf(!hasTorch)("train.py's optimizer", () => {
  it.each(CONFIGS.map((c) => [JSON.stringify(c), c] as const))(
    '%s steps like createOptimizer, slots included',
    async (_, config) => {
      const expected = await convkit(config);
      const got = runPython(`import json, math, torch\n${OPTIM_PY}\n${TOY_PY}
SHAPES = json.loads(${JSON.stringify(JSON.stringify(SHAPES))})
initial = tensors(json.loads(${JSON.stringify(JSON.stringify(initial))}))
gradients = [tensors(g) for g in json.loads(${JSON.stringify(JSON.stringify(gradients))})]
lrs = ${JSON.stringify(lrs)}
config = json.loads(${JSON.stringify(JSON.stringify(config))})
m, names, opt = fresh(initial, config)
for i in range(3):
    step(m, names, opt, gradients[i], lrs[i])
after_three = {k: v.detach().clone() for k, v in convkit_model.convkit_weights(m).items()}
slots = optimizer_slots(m, names, opt)
# A resumed optimizer: new model and optimizer from the weights and slots, then the fourth step.
m2, names2, opt2 = fresh(after_three, config)
restore_optimizer(m2, names2, opt2, slots, 3)
step(m2, names2, opt2, gradients[3], lrs[3])
print(json.dumps({'afterThree': flat(after_three), 'slots': flat(slots), 'afterFour': flat(convkit_model.convkit_weights(m2))}))
`) as { afterThree: Named; slots: Named; afterFour: Named };
      expectClose(got.afterThree, expected.afterThree, 'weights after 3 steps');
      expectClose(got.slots, expected.slots, 'slots after 3 steps');
      expectClose(got.afterFour, expected.afterFour, 'weights after a resumed 4th step');
    },
  );
});
