import { describe, expect, it } from 'vitest';
import { parseArgs } from './args.js';
import { type Configuration, configurationById, type Requirement } from './configurations.js';
import type { Cell } from './outcome.js';
import type { PeerStatus } from './peers/onnxruntime.js';
import { outcomeWithoutRunning } from './plan.js';
import { FULL_POLICY, QUICK_POLICY } from './policy.js';
import { type Workload, workloadById } from './workloads.js';

const config = (id: string) => configurationById(id) as Configuration;
const workload = (id: string) => workloadById(id) as Workload;
const noPeers = new Map<Requirement, PeerStatus>();
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
    const peers = new Map<Requirement, PeerStatus>([['torch', { available: false, reason: 'no torch' }]]);
    expect(outcomeWithoutRunning(config('torch'), workload('alexnet'), peers, [], QUICK_POLICY)).toEqual({
      kind: 'unavailable',
      reason: 'no torch',
    });
  });

  it('reports the GPU configurations as unavailable, each with its own reason, and leaves the CPU ones be', () => {
    const found = new Map<Requirement, PeerStatus>([
      ['cuda', { available: false, reason: 'cuda: no CUDA device: no NVIDIA driver' }],
      ['torch-cuda', { available: false, reason: 'PyTorch 1.13.0a0 for /usr/bin/python3 is a CPU-only build' }],
      ['torch', { available: true, version: '1.13.0a0', detail: 'PyTorch 1.13.0a0 CPU' }],
    ]);
    for (const id of ['lenet5', 'alexnet-train', 'vgg16']) {
      expect(outcomeWithoutRunning(config('cuda'), workload(id), found, [], QUICK_POLICY)).toEqual({
        kind: 'unavailable',
        reason: 'cuda: no CUDA device: no NVIDIA driver',
      });
      expect(outcomeWithoutRunning(config('torch-cuda'), workload(id), found, [], QUICK_POLICY)).toEqual({
        kind: 'unavailable',
        reason: expect.stringMatching(/CPU-only build/),
      });
      expect(outcomeWithoutRunning(config('torch'), workload(id), found, [], QUICK_POLICY)).toBeUndefined();
    }
    // The cuda backend needs no peer: where its GPU answered, its cells run.
    const gpu = new Map<Requirement, PeerStatus>([['cuda', { available: true, version: 'H100', detail: 'H100' }]]);
    expect(outcomeWithoutRunning(config('cuda'), workload('vgg16'), gpu, [], QUICK_POLICY)).toBeUndefined();
  });

  it('runs a software Vulkan driver configuration only where that driver works, and the driver-free webgpu always', () => {
    const found = new Map<Requirement, PeerStatus>([
      ['lavapipe', { available: false, reason: 'no working lavapipe Vulkan driver (…: not installed)' }],
      ['swiftshader', { available: true, version: '/x.json', detail: 'swiftshader: VK_ICD_FILENAMES=/x.json' }],
    ]);
    expect(outcomeWithoutRunning(config('webgpu-lavapipe'), workload('lenet5'), found, [], QUICK_POLICY)).toEqual({
      kind: 'unavailable',
      reason: 'no working lavapipe Vulkan driver (…: not installed)',
    });
    expect(outcomeWithoutRunning(config('webgpu-swiftshader'), workload('lenet5'), found, [], QUICK_POLICY)).toBe(
      undefined,
    );
    expect(outcomeWithoutRunning(config('webgpu'), workload('lenet5'), found, [], QUICK_POLICY)).toBeUndefined();
    // Each pinned configuration is webgpu on its own driver, which is also what it requires.
    for (const driver of ['lavapipe', 'swiftshader'] as const) {
      expect(config(`webgpu-${driver}`)).toMatchObject({ backend: 'webgpu', vulkanDriver: driver, requires: driver });
      expect(config(`tfjs-webgpu-${driver}`)).toMatchObject({
        kernels: 'stock',
        vulkanDriver: driver,
        requires: driver,
      });
    }
  });

  it('knows onnxruntime-node cannot train', () => {
    for (const id of ['lenet5', 'alexnet-train']) {
      expect(outcomeWithoutRunning(config('ort'), workload(id), noPeers, [], QUICK_POLICY)?.kind).toBe('cannot-train');
    }
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

  it("predicts AlexNet's training step from its forward: 96 forwards' MACs (32 images, three each)", () => {
    // 645 ms per forward (convkit cpu here) → ~62 s per step: over the quick limit (40 s), under the full one (90 s).
    const predicted = (policy: typeof QUICK_POLICY) =>
      outcomeWithoutRunning(config('webgpu'), workload('alexnet-train'), noPeers, [alexnetTook(645)], policy);
    expect(predicted(QUICK_POLICY)).toEqual({
      kind: 'skipped',
      reason: expect.stringMatching(/~62 s per run predicted from alexnet/),
    });
    expect(predicted(FULL_POLICY)).toBeUndefined();
  });

  it('runs the AlexNet training step on native and PyTorch in the default bench (issue 17 rates them)', () => {
    const defaults = parseArgs([]);
    expect(defaults.workloads).toContain('alexnet-train');
    expect(defaults.configurations).toEqual(expect.arrayContaining(['native', 'torch', 'wasm-1t', 'wasm-2t']));
    const torch = new Map<Requirement, PeerStatus>([['torch', { available: true, version: '1.13', detail: 'CPU' }]]);
    // FACTS.md's AlexNet forwards (native ~13 ms, PyTorch 37 ms) predict steps of ~1.3 s and ~3.6 s: far under both limits.
    for (const [id, ms] of [
      ['native', 13],
      ['torch', 37],
    ] as const) {
      const forward: Cell = { ...alexnetTook(ms), configuration: id };
      for (const policy of [QUICK_POLICY, FULL_POLICY])
        expect(outcomeWithoutRunning(config(id), workload('alexnet-train'), torch, [forward], policy)).toBeUndefined();
    }
  });
});
