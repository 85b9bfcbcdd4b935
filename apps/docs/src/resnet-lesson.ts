/**
 * The ResNet page's numbers, computed from the zoo's models by shape
 * (`summary`, no weight allocated): the paper's Table 1 with parameters and
 * multiply-adds, what torchvision's "v1.5" stride placement costs, what the
 * projection shortcuts (option B) add, and the basic block against the
 * bottleneck. The printed figures beside them are the paper's and
 * torchvision's, as data.
 */
import { summary } from '@convkit/layers';
import { convMacs, convParams, type TraceRow } from '@convkit/shape';
import { getModel } from '@convkit/zoo';

export const RESNET_DEPTHS = ['resnet18', 'resnet34', 'resnet50', 'resnet101', 'resnet152'] as const;
export type ResNetName = (typeof RESNET_DEPTHS)[number];

/** Table 1's last row: "FLOPs" in units of 10⁹, which are multiply-adds (the v1 stride placement). */
export const PAPER_GFLOPS: Readonly<Record<ResNetName, number>> = {
  resnet18: 1.8,
  resnet34: 3.6,
  resnet50: 3.8,
  resnet101: 7.6,
  resnet152: 11.3,
};

/** torchvision 0.14's `num_params` (counted with PyTorch) and its documented GFLOPS (multiply-adds, v1.5). */
export const TORCHVISION: Readonly<Record<ResNetName, { params: number; gflops: number }>> = {
  resnet18: { params: 11_689_512, gflops: 1.81 },
  resnet34: { params: 21_797_672, gflops: 3.66 },
  resnet50: { params: 25_557_032, gflops: 4.09 },
  resnet101: { params: 44_549_160, gflops: 7.8 },
  resnet152: { params: 60_192_808, gflops: 11.51 },
};

const INPUT: [number, number, number] = [224, 224, 3];

/** Every row of a summary, the layers inside residual blocks included, in order. */
export function allRows(rows: readonly TraceRow[]): TraceRow[] {
  return rows.flatMap((r) => [r, ...allRows(r.branches?.flat() ?? [])]);
}

const BLOCK = /^layer(\d)\/(\d+)\//;

/** Blocks per stage (conv2_x … conv5_x), counted from the model's layer names (`layer2/3/conv1`). */
export function blocksPerStage(rows: readonly TraceRow[]): number[] {
  const blocks = new Map<number, Set<string>>();
  for (const r of rows) {
    const m = BLOCK.exec(r.name);
    if (!m) continue;
    const stage = Number(m[1]);
    if (!blocks.has(stage)) blocks.set(stage, new Set());
    blocks.get(stage)?.add(m[2] as string);
  }
  return [...blocks.keys()].sort().map((s) => blocks.get(s)?.size ?? 0);
}

/**
 * What the paper's stride placement (v1: stride 2 on a downsampling
 * bottleneck's first 1×1) saves against torchvision's (v1.5: on the 3×3):
 * in v1 that 1×1 already runs on the halved map. The 3×3 outputs the halved
 * map either way, so the 1×1 is the whole difference.
 */
export function v1Saving(rows: readonly TraceRow[]): number {
  const byName = new Map(rows.map((r) => [r.name, r]));
  let saving = 0;
  for (const conv2 of rows) {
    const m = /^(layer\d\/\d+)\/conv2$/.exec(conv2.name);
    const conv1 = m && byName.get(`${m[1]}/conv1`);
    const downsamples = conv2.inputShape[0] !== conv2.outputShape[0];
    if (!conv1 || !downsamples || !byName.has(`${m?.[1]}/conv3`)) continue;
    const atHalf = convMacs({
      inChannels: conv1.inputShape[2] as number,
      filters: conv1.outputShape[2] as number,
      kernel: 1,
      output: [conv2.outputShape[0] as number, conv2.outputShape[1] as number],
    });
    saving += conv1.macs - atHalf;
  }
  return saving;
}

export interface ResNetRow {
  name: ResNetName;
  layers: number;
  block: 'basic' | 'bottleneck';
  stages: number[];
  /** Trainable parameters (BN's running statistics are not parameters). */
  params: number;
  /** Multiply-adds at 224×224 as built (v1.5): convolutions and fc, no BN, no bias, no additions. */
  macs: number;
  /** The same network with the paper's stride placement. */
  macsV1: number;
  paperGflops: number;
  torchvision: { params: number; gflops: number };
}

/** One row of Table 1, computed from the zoo's model at 224×224×3. */
export function resnetRow(name: ResNetName): ResNetRow {
  const s = summary(getModel(name), { input: INPUT });
  const rows = allRows(s.rows);
  return {
    name,
    layers: Number(name.slice('resnet'.length)),
    block: rows.some((r) => r.name.endsWith('/conv3')) ? 'bottleneck' : 'basic',
    stages: blocksPerStage(rows),
    params: s.totals.trainable,
    macs: s.totals.macs,
    macsV1: s.totals.macs - v1Saving(rows),
    paperGflops: PAPER_GFLOPS[name],
    torchvision: TORCHVISION[name],
  };
}

/** Table 1, computed: one row per depth. */
export function resnetTable(): ResNetRow[] {
  return RESNET_DEPTHS.map(resnetRow);
}

/** What option B's projections (1×1 convolution + BN where the shape changes) add to a model, against option A's zero padding. */
export function projectionCost(name: string) {
  const s = summary(getModel(name), { input: INPUT });
  const projections = allRows(s.rows).filter((r) => /\/downsample\/\d+$/.test(r.name));
  const params = projections.reduce((total, r) => total + r.params.trainable, 0);
  const macs = projections.reduce((total, r) => total + r.macs, 0);
  return { params, macs, total: s.totals.trainable, optionA: s.totals.trainable - params };
}

/** Figure 5: a basic block on 64 channels against a bottleneck on 256 (64 inside), on ResNet's 56×56 stage. */
export function blockComparison(side = 56) {
  const conv = (inChannels: number, filters: number, kernel: number) => ({
    params: convParams({ inChannels, filters, kernel, bias: false }),
    macs: convMacs({ inChannels, filters, kernel, output: side }),
  });
  const total = (parts: { params: number; macs: number }[]) => ({
    params: parts.reduce((t, p) => t + p.params, 0),
    macs: parts.reduce((t, p) => t + p.macs, 0),
  });
  const basic = total([conv(64, 64, 3), conv(64, 64, 3)]);
  const bottleneck = total([conv(256, 64, 1), conv(64, 64, 3), conv(64, 256, 1)]);
  const basicAt256 = total([conv(256, 256, 3), conv(256, 256, 3)]);
  return { side, basic, bottleneck, basicAt256 };
}

/** The CIFAR networks' parameters (option A shortcuts add none, so plain and residual nets of one depth are equal). */
export function cifarParams(input: [number, number, number] = [32, 32, 3]) {
  const params = (name: string) => summary(getModel(name, { input }), { input }).totals.trainable;
  return {
    resnet20: params('resnet20'),
    plain20: params('plain20'),
    resnet56: params('resnet56'),
    plain56: params('plain56'),
  };
}
