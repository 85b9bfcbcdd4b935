import { type ConvSpec, type LayerSpec, type PoolSpec, poolWindow, resolveWindow, trace } from '@convkit/shape';
import { getModel } from '@convkit/zoo';

/**
 * The benchmark networks as plain tables: the one description that the MAC
 * count (`@convkit/shape`), the ONNX generator and the PyTorch script
 * (`torch_bench.py`, which receives it as JSON) all build from. LeNet-5,
 * AlexNet and VGG-16 are read off the zoo's models (`lenet5-modern`,
 * `alexnet-torchvision`, `vgg16`), so no architecture is written out here;
 * the raw-op tfjs workloads in `@convkit/workloads` are written by hand, and
 * the tfjs worker checks that their parameter count matches these tables.
 */
export type BenchLayer =
  | { type: 'conv'; filters: number; kernel: number; stride: number; padding: number; bias: boolean; relu: boolean }
  | { type: 'pool'; kernel: number; stride: number }
  | { type: 'flatten' }
  | { type: 'dense'; units: number; relu: boolean };

export interface Architecture {
  name: string;
  /** One image, channels last: `[height, width, channels]`. */
  input: [number, number, number];
  layers: BenchLayer[];
}

/** A zoo layer that the bench's peers (ONNX writer, PyTorch script) have no counterpart for. */
export class BenchLayerError extends Error {
  constructor(model: string, layer: string, reason: string) {
    super(`${model}: layer ${layer} cannot be benchmarked: ${reason}`);
    this.name = 'BenchLayerError';
  }
}

/** One number for both axes (and both sides), or a {@link BenchLayerError} that shows the pair received. */
function square(model: string, layer: string, what: string, [a, b]: readonly [number, number]): number {
  if (a !== b) throw new BenchLayerError(model, layer, `${what} must be square, received [${a}, ${b}]`);
  return a;
}

function symmetric(model: string, layer: string, pads: readonly [[number, number], [number, number]]): number {
  const [[top, bottom], [left, right]] = pads;
  if (top !== bottom || left !== right) {
    throw new BenchLayerError(model, layer, `padding must be the same on every side, received ${JSON.stringify(pads)}`);
  }
  return square(model, layer, 'padding', [top, left]);
}

/** A conv or max pool placed on its input `[h, w]`: square windows, the same padding on every side, no dilation. */
function windowLayer(model: string, spec: ConvSpec | PoolSpec, name: string, [h, w]: number[]): BenchLayer {
  if (spec.type === 'conv' && (spec.groups ?? 1) !== 1) {
    throw new BenchLayerError(model, name, `grouped convolutions are not benchmarked, received groups ${spec.groups}`);
  }
  if (spec.type === 'pool' && spec.mode !== 'max') {
    throw new BenchLayerError(model, name, `only max pooling is benchmarked, received ${spec.mode}`);
  }
  const win = resolveWindow(name, [h as number, w as number], spec.type === 'pool' ? poolWindow(spec) : spec);
  if (win.dilation[0] !== 1 || win.dilation[1] !== 1) {
    throw new BenchLayerError(model, name, `dilation is not benchmarked, received [${win.dilation.join(', ')}]`);
  }
  const kernel = square(model, name, 'kernel', win.kernel);
  const stride = square(model, name, 'stride', win.stride);
  if (spec.type === 'pool') {
    // `extended` holds ceil mode's end padding too: a pool that reads padding has no counterpart in the peers.
    if (symmetric(model, name, win.extended) !== 0)
      throw new BenchLayerError(model, name, 'padded pools are not benchmarked');
    return { type: 'pool', kernel, stride };
  }
  const padding = symmetric(model, name, win.padding);
  const relu = spec.activation === 'relu';
  return { type: 'conv', filters: spec.filters, kernel, stride, padding, bias: spec.bias ?? true, relu };
}

/** One zoo layer spec as bench layers; dropout becomes none (a forward pass skips it, and it has no weights). */
function benchLayers(model: string, spec: LayerSpec, name: string, input: number[]): BenchLayer[] {
  if (spec.type === 'conv' || spec.type === 'pool') return [windowLayer(model, spec, name, input)];
  if (spec.type === 'dense') return [{ type: 'dense', units: spec.units, relu: spec.activation === 'relu' }];
  if (spec.type === 'flatten') return [{ type: 'flatten' }];
  if (spec.type === 'dropout') return [];
  throw new BenchLayerError(model, name, `no bench counterpart for a ${spec.type} layer`);
}

/** A zoo model at `input` as a bench table: its layer specs with every window resolved to plain numbers. */
export function fromZoo(model: string, name: string, input: [number, number, number]): Architecture {
  const specs = getModel(model, { input }).specs(input);
  const rows = trace(input, specs).rows;
  const layers = specs.flatMap((spec, i) => {
    const row = rows[i] as (typeof rows)[number];
    return benchLayers(model, spec, row.name, row.inputShape);
  });
  return { name, input, layers };
}

/** LeNet-5 as usually trained on MNIST (`@convkit/workloads` `lenet5`): 28×28×1, conv 6@5×5 'same', pool, conv 16@5×5, pool, 120, 84, 10. */
export const LENET5: Architecture = fromZoo('lenet5-modern', 'LeNet-5', [28, 28, 1]);

/** torchvision's single-tower AlexNet (`@convkit/workloads` `alexnet`) at 224×224×3. */
export const ALEXNET: Architecture = fromZoo('alexnet-torchvision', 'AlexNet', [224, 224, 3]);

/** VGG-16, configuration D (`@convkit/workloads` `vgg16`). */
export const VGG16: Architecture = fromZoo('vgg16', 'VGG-16', [224, 224, 3]);

/** `@convkit/workloads` `conv3x3`: one 3×3 64→64 convolution, 'same' padding, no bias, no activation. */
export const CONV3X3: Architecture = {
  name: 'conv 3×3 64→64',
  input: [56, 56, 64],
  layers: [{ type: 'conv', filters: 64, kernel: 3, stride: 1, padding: 1, bias: false, relu: false }],
};

/**
 * SGEMM 2048³ as a layer: a dense 2048 → 2048 on a batch of 2048 rows, so
 * that every engine's matrix product (its BLAS or GEMM) is measured in the
 * same run as the convolutions it is compared with. The bias adds 0.05 %.
 */
export const SGEMM: Architecture = {
  name: 'SGEMM 2048³',
  input: [1, 1, 2048],
  layers: [{ type: 'flatten' }, { type: 'dense', units: 2048, relu: false }],
};

/** The same table in `@convkit/shape`'s vocabulary, for `trace`. */
export function toLayerSpecs(layers: readonly BenchLayer[]): LayerSpec[] {
  return layers.map(toLayerSpec);
}

function toLayerSpec(l: BenchLayer): LayerSpec {
  if (l.type === 'conv') {
    return { type: 'conv', filters: l.filters, kernel: l.kernel, stride: l.stride, padding: l.padding, bias: l.bias };
  }
  if (l.type === 'pool') return { type: 'pool', kernel: l.kernel, stride: l.stride, mode: 'max' };
  if (l.type === 'dense') return { type: 'dense', units: l.units };
  return { type: 'flatten' };
}
