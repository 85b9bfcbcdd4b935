import type { Padding2d, Size2 } from '@convkit/shape';
import { Concat } from './concat.js';
import { Conv2d } from './conv.js';
import type { Initializer } from './initializers.js';
import { MaxPool2d } from './pool.js';
import { Sequential } from './sequential.js';

/** The initializers a block passes to its convolutions, only those given (so the JSON stays minimal). */
function initsOf(config: { kernelInit?: Initializer; biasInit?: Initializer }) {
  return {
    ...(config.kernelInit === undefined ? {} : { kernelInit: config.kernelInit }),
    ...(config.biasInit === undefined ? {} : { biasInit: config.biasInit }),
  };
}

/** Options of {@link inception}: the filter counts of GoogLeNet's Table 1. */
export interface InceptionConfig {
  /** Filters of the 1×1 branch (`#1×1`). */
  c1: number;
  /** 1×1 reduction before the 3×3 (`#3×3 reduce`). */
  c3reduce: number;
  /** Filters of the 3×3 (`#3×3`). */
  c3: number;
  /** 1×1 reduction before the 5×5 (`#5×5 reduce`). */
  c5reduce: number;
  /** Filters of the 5×5 (`#5×5`). */
  c5: number;
  /** 1×1 projection after the 3×3/1 max pool (`pool proj`). */
  poolProj: number;
  /** Every convolution's kernel initializer. Default 'heNormal' (Conv2d's). */
  kernelInit?: Initializer;
  /**
   * Every convolution's bias initializer. Default 'zeros' (Conv2d's);
   * GoogLeNet's Caffe model used `{ constant: 0.2 }`. A small positive bias
   * keeps ReLUs from starting dead where a whole pixel of the previous layer is.
   */
  biasInit?: Initializer;
  /**
   * The module's name (`inception3a`). It also names the children, as
   * GoogLeNet's Caffe model does: `<name>/1x1`, `<name>/3x3_reduce`,
   * `<name>/3x3`, `<name>/5x5_reduce`, `<name>/5x5`, `<name>/pool`,
   * `<name>/pool_proj`, and the branches `<name>/branch1`…`4`. Give a name:
   * containers number unnamed children when they are constructed, innermost
   * first, so without one each branch numbers its own convolutions
   * (`conv2d1` in every branch) and weight names repeat.
   */
  name?: string;
}

/**
 * GoogLeNet's inception module (Szegedy et al. 2015): four branches from
 * one input, joined on channels — 1×1; 1×1 → 3×3 (padding 1); 1×1 → 5×5
 * (padding 2); 3×3/1 max pool (padding 1) → 1×1 — every convolution with a
 * ReLU. Output channels `c1 + c3 + c5 + poolProj`, height and width kept.
 *
 * @example
 * ```ts
 * const block = inception({ c1: 64, c3reduce: 96, c3: 128, c5reduce: 16, c5: 32, poolProj: 32, name: 'inception3a' });
 * block.outputShape([28, 28, 192]); // [28, 28, 256]
 * ```
 */
export function inception(config: InceptionConfig): Concat {
  const { c1, c3reduce, c3, c5reduce, c5, poolProj, name } = config;
  const named = (part: string) => (name === undefined ? {} : { name: `${name}/${part}` });
  const inits = initsOf(config);
  const conv = (filters: number, kernel: number, padding: number, part: string) =>
    new Conv2d({ filters, kernel, padding, activation: 'relu', ...inits, ...named(part) });
  return new Concat(
    [
      new Sequential([conv(c1, 1, 0, '1x1')], named('branch1')),
      new Sequential([conv(c3reduce, 1, 0, '3x3_reduce'), conv(c3, 3, 1, '3x3')], named('branch2')),
      new Sequential([conv(c5reduce, 1, 0, '5x5_reduce'), conv(c5, 5, 2, '5x5')], named('branch3')),
      new Sequential(
        [new MaxPool2d({ kernel: 3, stride: 1, padding: 1, ...named('pool') }), conv(poolProj, 1, 0, 'pool_proj')],
        named('branch4'),
      ),
    ],
    name === undefined ? {} : { name },
  );
}

/** Options of {@link mlpconv}. */
export interface MlpconvConfig {
  /** Filters of the first, spatial convolution. */
  filters: number;
  /** Kernel of the first convolution. */
  kernel: Size2;
  /** Of the first convolution. Default 1. */
  stride?: Size2;
  /** Of the first convolution. Default 0. */
  padding?: Padding2d;
  /** Filters of each following 1×1 convolution: the micro network's layers. */
  micro: number[];
  /** Every convolution's kernel initializer. Default 'heNormal' (Conv2d's). */
  kernelInit?: Initializer;
  /**
   * Every convolution's bias initializer. Default 'zeros' (Conv2d's);
   * GoogLeNet's Caffe model used `{ constant: 0.2 }`. A small positive bias
   * keeps ReLUs from starting dead where a whole pixel of the previous layer is.
   */
  biasInit?: Initializer;
  /**
   * The block's name (`mlpconv1`). It also names the children, as the NiN
   * Caffe model does: `<name>/conv`, then `<name>/cccp1`, `<name>/cccp2`, ….
   * Give a name when a model has several blocks: unnamed children are numbered
   * when the block is constructed, so two unnamed blocks repeat weight names.
   */
  name?: string;
}

/**
 * Network in Network's mlpconv block (Lin et al. 2014): a k×k convolution
 * followed by 1×1 convolutions — a small multilayer perceptron slid over
 * the image — every one with a ReLU, as a `Sequential`.
 *
 * @example
 * ```ts
 * // NiN's first block for CIFAR-10: 192 5×5 filters, then 160 and 96 1×1.
 * mlpconv({ filters: 192, kernel: 5, padding: 2, micro: [160, 96] }).outputShape([32, 32, 3]); // [32, 32, 96]
 * ```
 */
export function mlpconv(config: MlpconvConfig): Sequential {
  const { filters, kernel, stride = 1, padding = 0, micro, name } = config;
  const named = (part: string) => (name === undefined ? {} : { name: `${name}/${part}` });
  const inits = initsOf(config);
  return new Sequential(
    [
      new Conv2d({ filters, kernel, stride, padding, activation: 'relu', ...inits, ...named('conv') }),
      ...micro.map(
        (f, k) => new Conv2d({ filters: f, kernel: 1, activation: 'relu', ...inits, ...named(`cccp${k + 1}`) }),
      ),
    ],
    name === undefined ? {} : { name },
  );
}
