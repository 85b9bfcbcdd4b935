import { describe, expect, it } from 'vitest';
import { UnsupportedError } from '../errors.js';
import { int64TensorProto, modelProto, node, tensorProto, valueInfo } from './builders.js';
import { convertOnnx } from './import.js';

// Hand-written graphs for what the ONNX light data does not show: joins by Add and Mul, gates, a Sum of one
// input, and the refusals, each naming the node and repeating what it received.

type Spec = Parameters<typeof modelProto>[0];
const graph = (nodes: Spec['nodes'], initializers: Spec['initializers'] = [], input = [1, 4, 6, 6]) =>
  modelProto({ name: 'g', nodes, initializers, inputs: [valueInfo('x', input)], outputs: [valueInfo('y', [])] });
const kernel = (name: string, filters: number, channels: number) =>
  tensorProto(name, [filters, channels, 1, 1], new Float32Array(filters * channels).fill(0.5));
type Json = { type: string; config: { layers?: Json[]; branches?: Json[] } };
/** The layer types of an architecture: a sequential as the list of its layers, a join as { type: its branches }. */
const tree = (json: unknown): unknown => {
  const { type, config } = json as Json;
  if (type === 'sequential') return (config.layers ?? []).map(tree);
  return config.branches ? { [type]: config.branches.map(tree) } : type;
};

describe('joins of branches by Add, Mul and Sum', () => {
  it('Add of a branch and the value itself: add([branch, identity]); Mul of x and σ(x) (swish): multiply', () => {
    const bytes = graph(
      [
        node('Conv', ['x', 'w'], ['c'], 'conv'),
        node('Add', ['c', 'x'], ['s'], 'residual'),
        node('Sigmoid', ['s'], ['g'], 'gate'),
        node('Mul', ['s', 'g'], ['y'], 'swish'),
      ],
      [kernel('w', 4, 4)],
    );
    const { architecture } = convertOnnx(bytes);
    expect(tree(architecture)).toEqual([{ add: [['conv2d'], []] }, { multiply: [[], ['activation']] }]);
  });

  it('a [N, C, 1, 1] gate multiplies [N, C, H, W] maps (squeeze-excitation); a Sum of one input is a copy', () => {
    const bytes = graph(
      [
        node('GlobalAveragePool', ['x'], ['p'], 'squeeze'),
        node('Conv', ['p', 'w'], ['e'], 'excite'),
        node('Sigmoid', ['e'], ['g'], 'sigmoid'),
        node('Mul', ['x', 'g'], ['m'], 'scale'),
        node('Sum', ['m'], ['y'], 'copy'),
      ],
      [kernel('w', 4, 4)],
    );
    const { architecture, weights } = convertOnnx(bytes);
    // The sigmoid fuses into the excitation conv; GlobalAveragePool without a flatten keeps [1, 1, c].
    expect(tree(architecture)).toEqual([{ multiply: [[], ['avgPool2d', 'conv2d']] }]);
    expect(weights.get('excite/kernel')?.shape).toEqual([1, 1, 4, 4]);
  });

  it('an Add of a [1, C, 1, 1] constant after a bias-less Conv is its bias (a Relu after it fuses too)', () => {
    const bytes = graph(
      [
        node('Conv', ['x', 'w'], ['c'], 'conv'),
        node('Add', ['c', 'b'], ['a'], 'bias'),
        node('Relu', ['a'], ['y'], 'relu'),
      ],
      [kernel('w', 4, 4), tensorProto('b', [1, 4, 1, 1], Float32Array.of(1, 2, 3, 4))],
    );
    const { architecture, weights } = convertOnnx(bytes);
    expect(architecture.config.layers).toEqual([
      expect.objectContaining({ type: 'conv2d', config: expect.objectContaining({ bias: true, activation: 'relu' }) }),
    ]);
    expect(Array.from(weights.get('conv/bias')?.read() ?? [])).toEqual([1, 2, 3, 4]);
  });

  it('refuses, naming the node and the shapes: a sum of unequal maps, a constant added, a gate of other channels', () => {
    const unequal = graph(
      [node('Conv', ['x', 'w'], ['c'], 'wide'), node('Sum', ['c', 'x'], ['y'], 'join')],
      [kernel('w', 8, 4)],
    );
    expect(() => convertOnnx(unequal)).toThrow(UnsupportedError);
    expect(() => convertOnnx(unequal)).toThrow(
      /^node "join" \(Sum\): Sum of \[\[N, 6, 6, 8\], \[N, 6, 6, 4\]\]: convkit's add takes branches of one shape/,
    );
    const constant = graph(
      [node('Relu', ['x'], ['r'], 'relu'), node('Add', ['r', 'b'], ['y'], 'shift')],
      [tensorProto('b', [1, 4, 1, 1], new Float32Array(4))],
    );
    expect(() => convertOnnx(constant)).toThrow(/^node "shift" \(Add\): adds a constant to the data/);
    const gate = graph(
      [
        node('GlobalAveragePool', ['x'], ['p'], 'squeeze'),
        node('Conv', ['p', 'w'], ['g'], 'excite'),
        node('Mul', ['x', 'g'], ['y'], 'scale'),
      ],
      [kernel('w', 2, 4)],
    );
    expect(() => convertOnnx(gate)).toThrow(/^node "scale" \(Mul\): Mul of \[\[N, 6, 6, 4\], \[N, 1, 1, 2\]\]/);
  });
});

describe('shuffle, slice and option-A patterns', () => {
  const shape = (name: string, dims: number[]) => int64TensorProto(name, [dims.length], dims);

  it('Reshape → Transpose → Reshape back is channelShuffle; a reshape that does not merge back is refused', () => {
    const nodes = (back: number[]) => ({
      nodes: [
        node('Reshape', ['x', 'split'], ['a'], 'split'),
        node('Transpose', ['a'], ['b'], 'swap', [{ name: 'perm', ints: [0, 2, 1, 3, 4] }]),
        node('Reshape', ['b', 'back'], ['y'], 'shuffle'),
      ],
      initializers: [shape('split', [-1, 2, 2, 6, 6]), shape('back', back)],
    });
    const good = nodes([0, 4, 6, 6]);
    expect(convertOnnx(graph(good.nodes, good.initializers)).architecture.config.layers).toEqual([
      { type: 'channelShuffle', config: { name: 'shuffle', groups: 2 } },
    ]);
    const bad = nodes([0, 2, 12, 6]);
    expect(() => convertOnnx(graph(bad.nodes, bad.initializers))).toThrow(
      /^node "shuffle" \(Reshape\): reshapes the shuffled \[N, 2, 2, 6, 6\] to \[0, 2, 12, 6\]/,
    );
  });

  it('Slice of channels is channelSlice; every 2nd pixel then a Pad of 1 + 2 zero channels is shortcut', () => {
    const sliced = graph(
      [node('Slice', ['x', 's', 'e', 'a'], ['y'], 'half')],
      [shape('s', [1]), shape('e', [3]), shape('a', [1])],
    );
    expect(convertOnnx(sliced).architecture.config.layers).toEqual([
      { type: 'channelSlice', config: { name: 'half', begin: 1, size: 2 } },
    ]);
    const optionA = (pads: number[]) =>
      graph(
        [node('Slice', ['x', 's', 'e', 'a', 't'], ['h'], 'every2'), node('Pad', ['h', 'p'], ['y'], 'zeros')],
        [shape('s', [0, 0]), shape('e', [2 ** 40, 2 ** 40]), shape('a', [2, 3]), shape('t', [2, 2]), shape('p', pads)],
        [1, 4, 7, 7],
      );
    const { architecture } = convertOnnx(optionA([0, 1, 0, 0, 0, 2, 0, 0]));
    expect(architecture.config.layers).toEqual([
      { type: 'shortcut', config: { name: 'zeros', stride: 2, filters: 7 } },
    ]);
    expect(() => convertOnnx(optionA([0, 2, 0, 0, 0, 1, 0, 0]))).toThrow(
      /^node "zeros" \(Pad\): pads 2 zero channels before and 1 after; convkit's option-A shortcut pads 1 before and 2 after/,
    );
  });
});
