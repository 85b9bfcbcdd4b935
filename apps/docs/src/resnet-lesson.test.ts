import { describe, expect, it } from 'vitest';
import {
  blockComparison,
  cifarParams,
  PAPER_GFLOPS,
  projectionCost,
  resnetTable,
  TORCHVISION,
} from './resnet-lesson.js';

/** The paper's Table 1: blocks in conv2_x … conv5_x. */
const TABLE_1 = {
  resnet18: [2, 2, 2, 2],
  resnet34: [3, 4, 6, 3],
  resnet50: [3, 4, 6, 3],
  resnet101: [3, 4, 23, 3],
  resnet152: [3, 8, 36, 3],
};

/** A CIFAR ResNet of 6n + 2 layers counted by hand: bias-free 3×3 convs, BN γ and β per channel, fc with bias. */
function cifarByHand(n: number, inChannels: number): number {
  const conv = (cin: number, cout: number) => 9 * cin * cout;
  let weights = conv(inChannels, 16);
  let bnChannels = 16;
  let channels = 16;
  for (const width of [16, 32, 64]) {
    for (let b = 0; b < n; b++) {
      weights += conv(channels, width) + conv(width, width);
      bnChannels += 2 * width;
      channels = width;
    }
  }
  return weights + 2 * bnChannels + 64 * 10 + 10;
}

describe('the ResNet page', () => {
  const table = resnetTable();

  it("stacks Table 1's blocks and has torchvision's parameters, exactly", () => {
    for (const row of table) {
      expect(row.stages, row.name).toEqual(TABLE_1[row.name]);
      expect(row.params, row.name).toBe(TORCHVISION[row.name].params);
      expect(row.block).toBe(row.layers < 50 ? 'basic' : 'bottleneck');
    }
  });

  it("gives torchvision's GFLOPS (v1.5) and, with the paper's stride placement, the paper's (v1), to their printed digits", () => {
    const resnet50 = table.find((r) => r.name === 'resnet50');
    expect(resnet50?.macs).toBe(4_089_184_256);
    // Three downsampling bottlenecks, each 1×1 from 256·2^s to 128·2^s channels on 4× the pixels: 3 × 77,070,336.
    expect((resnet50?.macs ?? 0) - (resnet50?.macsV1 ?? 0)).toBe(3 * (56 * 56 - 28 * 28) * 256 * 128);
    for (const row of table) {
      expect(Math.abs(row.macs / 1e9 - row.torchvision.gflops), row.name).toBeLessThan(0.06);
      expect(Math.abs(row.macsV1 / 1e9 - PAPER_GFLOPS[row.name]), row.name).toBeLessThan(0.1);
      if (row.block === 'basic') expect(row.macsV1).toBe(row.macs);
    }
  });

  it("counts option B's projections in ResNet-34 by hand: 1×1 convs 64→128, 128→256, 256→512 and their BN", () => {
    const cost = projectionCost('resnet34');
    expect(cost.params).toBe(64 * 128 + 2 * 128 + 128 * 256 + 2 * 256 + 256 * 512 + 2 * 512);
    expect(cost.optionA).toBe(21_797_672 - 173_824);
  });

  it("compares Figure 5's blocks by hand", () => {
    const c = blockComparison();
    expect(c.basic.params).toBe(2 * 9 * 64 * 64);
    expect(c.bottleneck.params).toBe(256 * 64 + 9 * 64 * 64 + 64 * 256);
    expect(c.bottleneck.macs).toBe(69_632 * 56 * 56);
    expect(c.basicAt256.params).toBe(2 * 9 * 256 * 256);
  });

  it("has the CIFAR nets' parameters by hand (0.27 M and 0.85 M in the paper's Table 6), plain = residual", () => {
    const cifar = cifarParams();
    expect(cifar.resnet20).toBe(cifarByHand(3, 3));
    expect(cifar.resnet20).toBe(269_722);
    expect(cifar.resnet56).toBe(cifarByHand(9, 3));
    expect(cifar.plain20).toBe(cifar.resnet20);
    expect(cifar.plain56).toBe(cifar.resnet56);
    expect(cifarParams([28, 28, 1]).resnet20).toBe(cifarByHand(3, 1));
  });
});
