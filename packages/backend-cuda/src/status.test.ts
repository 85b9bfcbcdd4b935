// The CUDA addon on machines with and without a GPU: built wherever nvcc is
// (CI has it), loadable everywhere, and without a GPU every way in answers
// with an error that says what is missing, never a crash.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs build script, without types
import { findCuda } from '../scripts/cuda.mjs';
import { CudaUnavailableError, cudaBinary } from './addon.js';
import { registerCudaBackend } from './register.js';
import { cudaStatus } from './status.js';

const toolkit = findCuda() as { nvcc: string; cudart: boolean } | undefined;
const status = cudaStatus();
if (!status.available) console.info(`GPU-only tests skipped: ${status.reason}`);

describe('the CUDA addon', () => {
  it('is built wherever the install script found nvcc and the static CUDA runtime', () => {
    if (toolkit?.cudart) expect(status.built, `nvcc at ${toolkit.nvcc} but no ${cudaBinary('gpu')}`).toBe(true);
    else if (process.env.CI) throw new Error('CI machines have nvcc: .ci/run checks the CUDA toolkit');
    expect(status.kernels).toEqual(expect.arrayContaining(['Transpose', 'Concat', 'Cast']));
  });

  it.skipIf(!status.built || status.available)(
    'loads in a process without a GPU and throws a clear error, never crashes',
    () => {
      // A separate process: a crash (a signal) there fails this test instead of killing the runner.
      const script = `try { require(${JSON.stringify(cudaBinary('gpu'))}).device(); process.exit(3); } catch (e) { console.error(e.message); process.exit(2); }`;
      const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
      expect(child.signal).toBeNull();
      expect(child.status).toBe(2);
      expect(child.stderr).toMatch(
        /^convkit cuda: device: (no NVIDIA driver|the NVIDIA driver is installed but reports no CUDA device)/,
      );
      expect(status.reason).toMatch(/^no CUDA device: /);
      expect(() => registerCudaBackend()).toThrow(CudaUnavailableError);
      expect(() => registerCudaBackend()).toThrow(/no CUDA device: (no NVIDIA driver|the NVIDIA driver)/);
    },
  );

  it.skipIf(!status.available)('starts on the GPU when one answers', () => {
    expect(status.device?.emulated).toBe(false);
    expect(status.device?.computeCapability).toMatch(/^\d+\.\d$/);
    expect(registerCudaBackend().device.name).toBe(status.device?.name);
  });
});
