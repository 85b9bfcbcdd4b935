import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { initBackend, SWIFTSHADER_ICD } from './index.js';
import { probeAdapterInChild } from './webgpu-probe.js';

// The user chose SwiftShader, the slower driver, though lavapipe may be installed: their choice wins.
const before = process.env.VK_ICD_FILENAMES;
process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
afterAll(() => {
  if (before === undefined) delete process.env.VK_ICD_FILENAMES;
  else process.env.VK_ICD_FILENAMES = before;
});

describe('VK_ICD_FILENAMES set by the user', () => {
  it('is the driver Dawn runs on', async () => {
    const probe = await probeAdapterInChild('high-performance');
    if ('missing' in probe || probe.adapter === undefined) {
      if (process.env.CI) throw new Error(`SwiftShader does not start in CI: ${JSON.stringify(probe)}`);
      return; // chromium (SwiftShader) is not installed here
    }
    const info = await initBackend('webgpu');
    expect(process.env.VK_ICD_FILENAMES).toBe(SWIFTSHADER_ICD);
    expect(info.device.description).toMatch(/SwiftShader/);
    expect(info.device.description).toContain(probe.adapter.description);
    expect(Array.from(await tf.mul(tf.ones([2]), 3).data())).toEqual([3, 3]);
  });
});
