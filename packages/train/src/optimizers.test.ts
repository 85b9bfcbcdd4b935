import { initBackend } from '@convkit/backend';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createOptimizer, type OptimizerConfig } from './optimizers.js';

beforeAll(async () => {
  await initBackend('cpu');
});

/** Runs `steps` updates of weights w (2×2) and b (2) with the given gradients per step. */
async function run(config: OptimizerConfig, gradients: number[][], lrs: number[]) {
  const w = tf.variable(
    tf.tensor2d([
      [1, -2],
      [0.5, 3],
    ]),
  );
  const b = tf.variable(tf.tensor1d([0.1, -0.1]));
  const opt = createOptimizer(config);
  gradients.forEach((g, i) => {
    const grads = new Map<string, tf.Tensor>([
      ['w', tf.tensor2d([g.slice(0, 2), g.slice(2, 4)] as number[][])],
      ['b', tf.tensor1d(g.slice(4, 6))],
    ]);
    opt.step(
      [
        ['w', w],
        ['b', b],
      ],
      grads,
      lrs[i] as number,
    );
    tf.dispose([...grads.values()]);
  });
  const result = { w: Array.from(w.dataSync()), b: Array.from(b.dataSync()), state: await opt.state() };
  opt.dispose();
  tf.dispose([w, b]);
  return result;
}

const grads = [
  [0.5, -1, 2, 0, 1, -1],
  [0.1, 0.2, -0.3, 0.4, 0.5, 0.5],
  [-1, 1, -1, 1, 0, 2],
];
const lrs = [0.1, 0.1, 0.05];
const w0 = [1, -2, 0.5, 3];
const b0 = [0.1, -0.1];

describe('optimizers', () => {
  it('SGD with momentum and weight decay follows PyTorch: v ← μv + g + λw; w ← w − lr·v; biases not decayed', async () => {
    const mu = 0.9;
    const lambda = 0.01;
    const w = [...w0];
    const b = [...b0];
    const vw = [0, 0, 0, 0];
    const vb = [0, 0];
    grads.forEach((g, s) => {
      w.forEach((x, i) => {
        vw[i] = mu * (vw[i] as number) + (g[i] as number) + lambda * x;
        w[i] = x - (lrs[s] as number) * (vw[i] as number);
      });
      b.forEach((x, i) => {
        vb[i] = mu * (vb[i] as number) + (g[4 + i] as number);
        b[i] = x - (lrs[s] as number) * (vb[i] as number);
      });
    });
    const got = await run({ type: 'sgd', momentum: mu, weightDecay: lambda }, grads, lrs);
    got.w.forEach((v, i) => {
      expect(v).toBeCloseTo(w[i] as number, 5);
    });
    got.b.forEach((v, i) => {
      expect(v).toBeCloseTo(b[i] as number, 5);
    });
    expect(got.state.steps).toBe(3);
  });

  it('Nesterov: w ← w − lr·(g + μv)', async () => {
    const mu = 0.5;
    const w = [...w0];
    const v = [0, 0, 0, 0];
    grads.forEach((g, s) => {
      w.forEach((x, i) => {
        v[i] = mu * (v[i] as number) + (g[i] as number);
        w[i] = x - (lrs[s] as number) * ((g[i] as number) + mu * (v[i] as number));
      });
    });
    const got = await run({ type: 'sgd', momentum: mu, nesterov: true }, grads, lrs);
    got.w.forEach((x, i) => {
      expect(x).toBeCloseTo(w[i] as number, 5);
    });
  });

  it('Adam with bias correction', async () => {
    const [b1, b2, eps] = [0.9, 0.999, 1e-8];
    const w = [...w0];
    const m = [0, 0, 0, 0];
    const v = [0, 0, 0, 0];
    grads.forEach((g, s) => {
      const t = s + 1;
      w.forEach((x, i) => {
        const gi = g[i] as number;
        m[i] = b1 * (m[i] as number) + (1 - b1) * gi;
        v[i] = b2 * (v[i] as number) + (1 - b2) * gi * gi;
        const mHat = (m[i] as number) / (1 - b1 ** t);
        const vHat = (v[i] as number) / (1 - b2 ** t);
        w[i] = x - ((lrs[s] as number) * mHat) / (Math.sqrt(vHat) + eps);
      });
    });
    const got = await run({ type: 'adam' }, grads, lrs);
    got.w.forEach((x, i) => {
      expect(x).toBeCloseTo(w[i] as number, 5);
    });
  });

  it('state saved after two steps and restored elsewhere continues exactly like one optimizer', async () => {
    for (const config of [{ type: 'sgd', momentum: 0.9 }, { type: 'adam' }] as OptimizerConfig[]) {
      const whole = await run(config, grads, lrs);
      const w = tf.variable(
        tf.tensor2d([
          [1, -2],
          [0.5, 3],
        ]),
      );
      const b = tf.variable(tf.tensor1d([0.1, -0.1]));
      const first = createOptimizer(config);
      const step = (opt: ReturnType<typeof createOptimizer>, s: number) => {
        const g = grads[s] as number[];
        const map = new Map<string, tf.Tensor>([
          ['w', tf.tensor2d([g.slice(0, 2), g.slice(2, 4)])],
          ['b', tf.tensor1d(g.slice(4, 6))],
        ]);
        opt.step(
          [
            ['w', w],
            ['b', b],
          ],
          map,
          lrs[s] as number,
        );
        tf.dispose([...map.values()]);
      };
      step(first, 0);
      step(first, 1);
      const saved = await first.state();
      first.dispose();
      const second = createOptimizer(config);
      second.restore(saved);
      step(second, 2);
      expect(Array.from(w.dataSync())).toEqual(whole.w);
      second.dispose();
      tf.dispose([w, b]);
    }
  });

  it('leaks no tensors across steps: only its slots stay, and dispose frees them', () => {
    const w = tf.variable(tf.ones([2, 2]));
    const g = new Map([['w', tf.ones([2, 2])]]);
    const opt = createOptimizer({ type: 'adam', weightDecay: 0.1 });
    opt.step([['w', w]], g, 0.1);
    const after1 = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) opt.step([['w', w]], g, 0.1);
    expect(tf.memory().numTensors).toBe(after1);
    opt.dispose();
    expect(tf.memory().numTensors).toBe(after1 - 2);
    tf.dispose([w, ...g.values()]);
  });

  it('rejects out-of-range settings, repeating the value', () => {
    expect(() => createOptimizer({ type: 'sgd', momentum: 1.5 })).toThrow(/momentum must be in \[0, 1\), received 1.5/);
    expect(() => createOptimizer({ type: 'sgd', nesterov: true })).toThrow(/nesterov needs momentum/);
    expect(() => createOptimizer({ type: 'rmsprop' } as never)).toThrow(/unknown type "rmsprop"/);
  });

  it('refuses misspelt options (naming the close one) and values of the wrong type', () => {
    expect(() => createOptimizer({ type: 'sgd', momentun: 0.9 } as never)).toThrow(
      /optimizer has no option "momentun" \(did you mean "momentum"\?\); its options are type, momentum, nesterov/,
    );
    expect(() => createOptimizer({ type: 'sgd', momentum: '0.9' } as never)).toThrow(
      /optimizer.momentum must be a finite number, received "0.9"/,
    );
    expect(() => createOptimizer({ type: 'sgd', momentum: 0.9, nesterov: 'false' } as never)).toThrow(
      /optimizer.nesterov must be true or false, received "false"/,
    );
    expect(() => createOptimizer({ type: 'adam', weightDecay: '0.0005' } as never)).toThrow(
      /weightDecay must be a finite/,
    );
  });
});
