import type { LayerSpec } from '@convkit/shape';

/**
 * The benchmark networks as plain tables: the one description that the MAC
 * count (`@convkit/shape`), the ONNX generator and the PyTorch script
 * (`torch_bench.py`, which receives it as JSON) all build from. The tfjs
 * workloads in `@convkit/workloads` are written by hand; the tfjs worker checks that
 * their parameter count matches these tables, so the two cannot drift apart.
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

const conv = (filters: number, kernel: number, stride = 1, padding = 0): BenchLayer => ({
  type: 'conv',
  filters,
  kernel,
  stride,
  padding,
  bias: true,
  relu: true,
});
const pool = (kernel: number, stride = kernel): BenchLayer => ({ type: 'pool', kernel, stride });
const flatten: BenchLayer = { type: 'flatten' };
const dense = (units: number, relu = true): BenchLayer => ({ type: 'dense', units, relu });

/** `@convkit/workloads` `lenet5`: 28×28×1, conv 6@5×5 pad 2, pool, conv 16@5×5, pool, 120, 84, 10. */
export const LENET5: Architecture = {
  name: 'LeNet-5',
  input: [28, 28, 1],
  layers: [conv(6, 5, 1, 2), pool(2), conv(16, 5), pool(2), flatten, dense(120), dense(84), dense(10, false)],
};

/** `@convkit/workloads` `alexnet`: torchvision's single-tower AlexNet. */
export const ALEXNET: Architecture = {
  name: 'AlexNet',
  input: [224, 224, 3],
  layers: [
    conv(64, 11, 4, 2),
    pool(3, 2),
    conv(192, 5, 1, 2),
    pool(3, 2),
    conv(384, 3, 1, 1),
    conv(256, 3, 1, 1),
    conv(256, 3, 1, 1),
    pool(3, 2),
    flatten,
    dense(4096),
    dense(4096),
    dense(1000, false),
  ],
};

const VGG16_CONFIG = [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'] as const;

/** `@convkit/workloads` `vgg16`: configuration D. */
export const VGG16: Architecture = {
  name: 'VGG-16',
  input: [224, 224, 3],
  layers: [
    ...VGG16_CONFIG.map((v) => (v === 'M' ? pool(2) : conv(v, 3, 1, 1))),
    flatten,
    dense(4096),
    dense(4096),
    dense(1000, false),
  ],
};

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
  layers: [flatten, dense(2048, false)],
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
