import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { findSoftwareVulkanDriver, initBackend } from './index.js';
import { probeAdapterInChild } from './webgpu-probe.js';

// What each driver's adapter calls itself (Mesa's lavapipe reports llvmpipe), independent of convkit's table.
const ADAPTER_OF = { lavapipe: /llvmpipe/, swiftshader: /SwiftShader/ } as const;

// Runs without VK_ICD_FILENAMES, as a user who sets no Vulkan driver; webgpu-user-driver.test.ts covers one who does.
delete process.env.VK_ICD_FILENAMES;

describe("'webgpu' asked for by name on a machine without a GPU", () => {
  it('starts Dawn on the software driver findSoftwareVulkanDriver chose, lavapipe first where Dawn takes it', async () => {
    const driver = await findSoftwareVulkanDriver();
    if (!('icd' in driver)) {
      if (process.env.CI) throw new Error(`no software Vulkan driver in CI: ${JSON.stringify(driver.tried)}`);
      return; // nothing installed here: init.test.ts checks the error that says what to install
    }
    // The oracle: Dawn in a child process, given lavapipe's manifests alone, finds an adapter or not.
    const lavapipe = await findSoftwareVulkanDriver('lavapipe');
    expect(driver.name).toBe('icd' in lavapipe ? 'lavapipe' : 'swiftshader');
    // .ci/run installs Mesa 25 (bookworm-backports): CI runs the WebGPU tests on lavapipe, or says why not.
    if (process.env.CI) expect(lavapipe).toMatchObject({ name: 'lavapipe' });

    const info = await initBackend('webgpu');
    expect(process.env.VK_ICD_FILENAMES).toBe(driver.icd);
    expect(info.device.software).toBe(true);
    expect(info.device.description).toMatch(ADAPTER_OF[driver.name]);
    expect(Array.from(await tf.add(tf.ones([3]), tf.ones([3])).data())).toEqual([2, 2, 2]);
  });

  it('tells a manifest Dawn rejects from one it takes, by asking Dawn in a child process', async () => {
    const probe = await probeAdapterInChild('high-performance', { VK_ICD_FILENAMES: '/nonexistent/icd.json' });
    if ('missing' in probe) return;
    expect(probe.adapter).toBeUndefined();
  });
});
