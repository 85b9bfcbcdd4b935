import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { initBackend } from '@convkit/backend';
import * as tf from '@tensorflow/tfjs-core';
import { parseJobArgument } from '../job.js';
import { measure } from '../measure.js';
import { type Outcome, reportAndExit } from '../outcome.js';
import { layerOps } from './layer-ops.js';
import { missingKernel } from './missing-kernel.js';
import { tfjsWorkload } from './tfjs-workloads.js';

/** Child process: one workload on one tfjs backend. Usage: `node dist/tfjs-worker.js '<job json>'`. */
async function main(): Promise<Outcome> {
  const job = parseJobArgument(process.argv);
  const { backend, kernels } = job.configuration;
  if (backend === undefined) throw new Error(`configuration ${job.configuration.id} names no tfjs backend`);
  // The native backend gets the peers' thread count, wasm-1t and wasm-2t their own; the others decide (wasm: the cores).
  const count = backend === 'native' ? job.threads : job.configuration.threads;
  const threads = count === undefined ? {} : { threads: count };
  const info = await initBackend(backend, { kernels: kernels ?? 'convkit', ...threads });
  // A GPU row names its adapter; a software one (SwiftShader) runs on the CPU with the driver's own threads.
  const onednn = /oneDNN .*$/.exec(info.device.description)?.[0];
  const where =
    info.device.kind === 'gpu'
      ? `${info.device.description}${info.device.software ? ' (software adapter on the CPU, its own threads)' : ''}`
      : `${info.threads} thread${info.threads === 1 ? '' : 's'}${onednn ? `, ${onednn}` : ''}`;
  const runtime = `tfjs-core ${tf.version_core} ${info.name}, ${info.kernels} kernels, ${where}`;

  const workload = tfjsWorkload(job.workload, layerOps(info.kernels));
  if (workload.params !== job.params) {
    throw new Error(
      `@convkit/workloads ${job.workload.id} has ${workload.params} parameters but architectures.ts says ${job.params}: the two tables drifted apart`,
    );
  }
  try {
    // Every run ends with a read (tfjs-workloads.ts), which on cuda waits for the GPU's queue.
    const timing = await measure(workload.run, job.policy);
    const fallback = backend === 'cuda' ? await cudaCpuFallback() : undefined;
    return { kind: 'ok', ...timing, runtime: fallback ? `${runtime}; ${fallback}` : runtime };
  } catch (error) {
    const kernel = missingKernel(error);
    if (kernel !== undefined && job.workload.mode !== 'forward') {
      return { kind: 'cannot-train', reason: `no ${kernel} kernel on ${info.kernels} ${info.name}` };
    }
    throw error;
  } finally {
    workload.dispose();
  }
}

/**
 * cuda: the kernels that ran on the CPU (on host copies of their inputs)
 * during the cell, from @convkit/backend-cuda's counters, found where
 * @convkit/backend finds it (this package does not depend on it). Undefined
 * when the counters cannot be read.
 */
async function cudaCpuFallback(): Promise<string | undefined> {
  try {
    const backendEntry = createRequire(import.meta.url).resolve('@convkit/backend');
    const cuda = createRequire(backendEntry).resolve('@convkit/backend-cuda');
    const { cudaKernelCalls } = (await import(pathToFileURL(cuda).href)) as {
      cudaKernelCalls(): Record<string, { gpu: number; cpu: number }>;
    };
    const calls = Object.entries(cudaKernelCalls());
    if (calls.length === 0) return undefined;
    const onCpu = calls.filter(([, c]) => c.cpu > 0).map(([kernel, c]) => `${kernel} ×${c.cpu}`);
    return onCpu.length === 0 ? 'every kernel on the GPU' : `on the CPU: ${onCpu.join(', ')}`;
  } catch {
    return undefined;
  }
}

main().then(reportAndExit, (error: unknown) =>
  reportAndExit({ kind: 'failed', reason: error instanceof Error ? error.message : String(error) }),
);
