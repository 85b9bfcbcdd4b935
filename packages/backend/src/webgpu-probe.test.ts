import { afterAll, describe, expect, it } from 'vitest';
import { initBackend } from './index.js';
import { probeAdapterInChild } from './webgpu-probe.js';

// No Vulkan driver, as on a headless machine without one: the Vulkan loader and Dawn then write warnings with
// stack frames ("vkCreateInstance: Found no drivers!") from native code, which no console filter can catch.
const before = process.env.VK_ICD_FILENAMES;
process.env.VK_ICD_FILENAMES = '/nonexistent/icd.json';
afterAll(() => {
  if (before === undefined) delete process.env.VK_ICD_FILENAMES;
  else process.env.VK_ICD_FILENAMES = before;
});

const gpuHere = () => (globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu;

describe("'auto' without a Vulkan driver", () => {
  it('asks for an adapter in a child process, whose stderr takes the driver noise', async () => {
    const probe = await probeAdapterInChild('high-performance');
    if ('missing' in probe) return; // the optional webgpu package is not installed: nothing to probe
    expect(probe.adapter).toBeUndefined();
    // The oracle that the noise exists and stayed in the child: Dawn wrote it there, not to this process.
    expect(probe.stderr).toMatch(/vkCreateInstance|Vulkan/);
    expect(gpuHere()).toBeUndefined();
  });

  it('never starts Dawn in this process and says why in one reason', async () => {
    const info = await initBackend('auto');
    expect(gpuHere()).toBeUndefined();
    expect(info.name).not.toBe('webgpu');
    expect(info.reason).toMatch(/no WebGPU adapter|no WebGPU \(/);
    expect(info.reason).not.toMatch(/vkCreateInstance|\n/);
  });
});
