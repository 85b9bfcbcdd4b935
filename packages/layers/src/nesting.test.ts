import { initBackend } from '@convkit/backend';
import { ShapeError } from '@convkit/shape';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { AuxiliaryHead } from './auxiliary.js';
import { Concat } from './concat.js';
import { Conv2d } from './conv.js';
import { Dense, Flatten } from './dense.js';
import type { Layer } from './layer.js';
import { fromJSON } from './registry.js';
import { Sequential } from './sequential.js';
import { summary } from './summary.js';

beforeAll(async () => {
  await initBackend('cpu');
});

/** A 1×1 convolution whose `specs` calls are counted: the unit of shape work. */
function countedConv(calls: { count: number }): Conv2d {
  const conv = new Conv2d({ filters: 2, kernel: 1 });
  const specs = conv.specs.bind(conv);
  vi.spyOn(conv, 'specs').mockImplementation((input) => {
    calls.count++;
    return specs(input);
  });
  return conv;
}

/** `depth` containers, each holding a counted leaf and the next container: 2·depth layers. */
function nested(depth: number, wrap: (inner: Layer, leaf: Layer) => Layer, calls: { count: number }): Layer {
  let inner: Layer = countedConv(calls);
  for (let d = 1; d < depth; d++) inner = wrap(inner, countedConv(calls));
  return inner;
}

const asSequential = (inner: Layer, leaf: Layer) => new Sequential([leaf, inner]);
// One branch is enough to nest; the concat keeps the branch's channels.
const asConcat = (inner: Layer, leaf: Layer) => new Concat([new Sequential([leaf, inner])]);
// The head taps the input; the container then goes on with the next level.
const asAuxiliary = (inner: Layer, leaf: Layer) =>
  new Sequential([new AuxiliaryHead(new Sequential([leaf, new Flatten(), new Dense({ units: 2 })])), inner]);

describe('shapes are computed once per layer, however deep the nesting', () => {
  it.each([
    ['sequential', asSequential],
    ['concat', asConcat],
    ['auxiliaryHead', asAuxiliary],
  ] as const)('nested %s, depth 30: summary, outputShape and specs ask each leaf once', (_, wrap) => {
    const calls = { count: 0 };
    const model = nested(30, wrap, calls);
    expect(model.outputShape([4, 4, 3])).toEqual([4, 4, 2]);
    expect(calls.count).toBe(30);
    calls.count = 0;
    const s = summary(model, { input: [4, 4, 3] });
    expect(calls.count).toBe(30);
    expect(s.output).toEqual([4, 4, 2]);
    calls.count = 0;
    model.specs([4, 4, 3]);
    expect(calls.count).toBe(30);
  });

  it('build asks each leaf for its shapes a bounded number of times', () => {
    const calls = { count: 0 };
    const model = nested(30, asSequential, calls);
    model.build([4, 4, 3]);
    // Linear: a constant number of shape computations per leaf (not one per enclosing container).
    expect(calls.count).toBeLessThanOrEqual(2 * 30);
    model.dispose();
  });

  it('nested sequential depth 30 (from JSON, as the playground builds it) summarizes in linear work', () => {
    let json = { type: 'conv2d', config: { filters: 2, kernel: 1 } } as { type: string; config: object };
    for (let d = 1; d < 30; d++) {
      json = { type: 'sequential', config: { layers: [{ type: 'conv2d', config: { filters: 2, kernel: 1 } }, json] } };
    }
    const model = fromJSON(json as never);
    // Before the fix this was 2^30 shape walks, which never finishes within the test's timeout; the
    // per-leaf counts above pin the linearity, and timing stays out of tests (the bench measures speed).
    const s = summary(model, { input: [8, 8, 3] });
    expect(s.rows).toHaveLength(30);
  });

  it('still names the failing layer inside a nested container', () => {
    const model = new Sequential([
      new Conv2d({ filters: 2, kernel: 1 }),
      new Concat([new Sequential([new Conv2d({ filters: 2, kernel: 9, name: 'tooBig' })])]),
    ]);
    expect(() => model.outputShape([4, 4, 3])).toThrow(ShapeError);
    expect(() => summary(model, { input: [4, 4, 3] })).toThrow(/tooBig/);
    expect(() => model.outputShape([4, 4, 3])).toThrow(/tooBig/);
  });

  it('concat still checks that branches agree on height and width', () => {
    const model = new Concat([
      new Conv2d({ filters: 2, kernel: 1 }),
      new Conv2d({ filters: 2, kernel: 1, stride: 2, name: 'strided' }),
    ]);
    expect(() => model.outputShape([4, 4, 3])).toThrow(/must agree on height and width/);
    expect(
      new Concat([new Conv2d({ filters: 2, kernel: 1 }), new Conv2d({ filters: 3, kernel: 1 })]).outputShape([4, 4, 3]),
    ).toEqual([4, 4, 5]);
  });
});
