import { describe, expect, it } from 'vitest';
import { type Configuration, configurationById, type Engine } from './configurations.js';
import type { Cell } from './outcome.js';
import type { PeerStatus } from './peers/onnxruntime.js';
import { outcomeWithoutRunning } from './plan.js';
import { QUICK_POLICY } from './policy.js';
import { type Workload, workloadById } from './workloads.js';

const config = (id: string) => configurationById(id) as Configuration;
const workload = (id: string) => workloadById(id) as Workload;
const noPeers = new Map<Engine, PeerStatus>();
const alexnetTook = (ms: number): Cell => ({
  configuration: 'webgpu',
  workload: 'alexnet',
  outcome: { kind: 'ok', warmupMs: [ms], samplesMs: [ms], runtime: 'webgpu' },
});

describe('outcomeWithoutRunning', () => {
  it('runs a cell when nothing rules it out', () => {
    expect(outcomeWithoutRunning(config('cpu'), workload('lenet5'), noPeers, [], QUICK_POLICY)).toBeUndefined();
  });

  it('reports a missing peer with its reason', () => {
    const peers = new Map<Engine, PeerStatus>([['torch', { available: false, reason: 'no torch' }]]);
    expect(outcomeWithoutRunning(config('torch'), workload('alexnet'), peers, [], QUICK_POLICY)).toEqual({
      kind: 'skipped',
      reason: 'no torch',
    });
  });

  it('knows onnxruntime-node cannot train', () => {
    expect(outcomeWithoutRunning(config('ort'), workload('lenet5'), noPeers, [], QUICK_POLICY)?.kind).toBe(
      'cannot-train',
    );
  });

  it("skips VGG-16 where AlexNet's rate predicts a run over the limit, and says so", () => {
    // VGG-16 has ~21.7× AlexNet's MACs: 37 s AlexNet → ~800 s VGG.
    const slow = outcomeWithoutRunning(
      config('webgpu'),
      workload('vgg16'),
      noPeers,
      [alexnetTook(37_000)],
      QUICK_POLICY,
    );
    expect(slow).toEqual({ kind: 'skipped', reason: expect.stringMatching(/~80\d s per run predicted from alexnet/) });
    const fast = outcomeWithoutRunning(config('webgpu'), workload('vgg16'), noPeers, [alexnetTook(50)], QUICK_POLICY);
    expect(fast).toBeUndefined();
  });
});
