import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { PeerStatus } from './onnxruntime.js';
import { DIST_DIR } from './paths.js';

/** The cuda probe (src/workers/cuda-probe.ts) prints its answer on one line with this prefix. */
export const PROBE_PREFIX = '@@bench-cuda ';

export type ProbeAnswer = { available: true; device: string } | { available: false; reason: string };

/** The probe's output as a status: the GPU that answered, or why `initBackend('cuda')` did not start. */
export function cudaProbeStatus(stdout: string, failure: string): PeerStatus {
  const line = stdout
    .split('\n')
    .reverse()
    .find((l) => l.startsWith(PROBE_PREFIX));
  if (line === undefined) return { available: false, reason: `the cuda probe gave no answer: ${failure}` };
  const answer = JSON.parse(line.slice(PROBE_PREFIX.length)) as ProbeAnswer;
  if (!answer.available) return { available: false, reason: answer.reason };
  return { available: true, version: answer.device, detail: `convkit cuda on ${answer.device}` };
}

/**
 * Whether convkit's cuda backend starts on this machine: asked once, in a
 * child process, before any cuda cell (each cell then starts it again in its
 * own process). Where it does not, the reason is `initBackend`'s, e.g.
 * "cuda: no CUDA device: no NVIDIA driver …".
 */
export function probeCuda(): PeerStatus {
  const run = spawnSync(process.execPath, [join(DIST_DIR, 'cuda-probe.js')], { encoding: 'utf8', timeout: 120_000 });
  const failure = run.error?.message ?? (`${run.stderr ?? ''}`.trim().split('\n').at(-1) || `exit ${run.status}`);
  return cudaProbeStatus(run.stdout ?? '', failure);
}
