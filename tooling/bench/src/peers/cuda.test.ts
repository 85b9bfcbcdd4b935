import { describe, expect, it } from 'vitest';
import { cudaProbeStatus, PROBE_PREFIX } from './cuda.js';
import { torchCudaPythons, torchCudaStatus } from './torch.js';

describe('cudaProbeStatus', () => {
  it("passes initBackend('cuda')'s reason on where there is no GPU", () => {
    const stdout = `tfjs chatter\n${PROBE_PREFIX}{"available":false,"reason":"cuda: no CUDA device: no NVIDIA driver"}\n`;
    expect(cudaProbeStatus(stdout, '')).toEqual({
      available: false,
      reason: 'cuda: no CUDA device: no NVIDIA driver',
    });
  });

  it('names the GPU that answered', () => {
    const stdout = `${PROBE_PREFIX}{"available":true,"device":"NVIDIA H100 (compute capability 9.0, 79 GiB)"}`;
    expect(cudaProbeStatus(stdout, '')).toEqual({
      available: true,
      version: 'NVIDIA H100 (compute capability 9.0, 79 GiB)',
      detail: 'convkit cuda on NVIDIA H100 (compute capability 9.0, 79 GiB)',
    });
  });

  it('says so when the probe died without an answer', () => {
    expect(cudaProbeStatus('', 'Cannot find module dist/cuda-probe.js')).toEqual({
      available: false,
      reason: 'the cuda probe gave no answer: Cannot find module dist/cuda-probe.js',
    });
  });
});

describe('torchCudaStatus', () => {
  it('tells a missing PyTorch, a CPU-only build and a CUDA build without a GPU apart', () => {
    expect(torchCudaStatus('python3', { error: "ModuleNotFoundError: No module named 'torch'" })).toMatchObject({
      available: false,
      reason: "no PyTorch for python3 (ModuleNotFoundError: No module named 'torch')",
    });
    expect(torchCudaStatus('/usr/bin/python3', { torch: '1.13.0a0', cuda: null, available: false })).toMatchObject({
      available: false,
      reason: 'PyTorch 1.13.0a0 for /usr/bin/python3 is a CPU-only build',
    });
    expect(torchCudaStatus('python3', { torch: '2.5.1+cu124', cuda: '12.4', available: false })).toMatchObject({
      available: false,
      reason: expect.stringMatching(/CUDA 12\.4.*torch\.cuda\.is_available\(\) is false/),
    });
  });

  it('gives the versions and the GPU when it can run', () => {
    const probe = {
      torch: '2.5.1+cu124',
      cuda: '12.4',
      cudnn: 90100,
      available: true,
      device: 'NVIDIA H100 80GB HBM3',
    };
    expect(torchCudaStatus('python3', probe)).toEqual({
      available: true,
      python: 'python3',
      version: '2.5.1+cu124',
      detail: 'PyTorch 2.5.1+cu124 CUDA 12.4, cuDNN 90100, NVIDIA H100 80GB HBM3 (python3)',
    });
  });

  it('tries CONVKIT_BENCH_PYTHON first, then the python3 on PATH, then Debian’s', () => {
    const pythons = torchCudaPythons({ CONVKIT_BENCH_PYTHON: '/opt/conda/bin/python' });
    expect(pythons.slice(0, 2)).toEqual(['/opt/conda/bin/python', 'python3']);
    expect(torchCudaPythons({})[0]).toBe('python3');
  });
});
