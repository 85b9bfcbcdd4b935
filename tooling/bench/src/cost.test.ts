import { describe, expect, it } from 'vitest';
import { ALEXNET, CONV3X3, LENET5, VGG16 } from './architectures.js';
import { architectureCost, workloadMacs } from './cost.js';
import { WORKLOADS } from './workloads.js';

describe('architecture tables', () => {
  it('have the parameter counts of the papers and torchvision', () => {
    expect(architectureCost(LENET5).params).toBe(61_706);
    expect(architectureCost(ALEXNET).params).toBe(61_100_840);
    expect(architectureCost(VGG16).params).toBe(138_357_544);
    expect(architectureCost(CONV3X3).params).toBe(3 * 3 * 64 * 64);
  });

  it('have torchvision-style MACs (0.71 G AlexNet, 15.47 G VGG-16)', () => {
    expect(architectureCost(ALEXNET).macs / 1e9).toBeCloseTo(0.714, 3);
    expect(architectureCost(VGG16).macs / 1e9).toBeCloseTo(15.47, 2);
    // 56·56 outputs × 64 filters × 3·3·64 taps.
    expect(architectureCost(CONV3X3).macs).toBe(56 * 56 * 64 * 9 * 64);
  });
});

describe('workloadMacs', () => {
  it('counts the whole batch, and a training step as three forwards', () => {
    const byId = Object.fromEntries(WORKLOADS.map((w) => [w.id, workloadMacs(w)]));
    expect(byId.conv3x3).toBe(8 * 56 * 56 * 64 * 9 * 64);
    expect(byId.lenet5).toBe(3 * 64 * architectureCost(LENET5).macs);
    expect(byId.alexnet).toBe(architectureCost(ALEXNET).macs);
    // AlexNet's training step: 32 images, three forwards each (68.6 G MACs).
    expect(byId['alexnet-train']).toBe(3 * 32 * architectureCost(ALEXNET).macs);
  });
});
